{ pkgs, ... }:
{
  networking.hostName = "x";
  environment.systemPackages = with pkgs; [
    vim # editor
    git
  ];
  time.timeZone = "UTC";
}
