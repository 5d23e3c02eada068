{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    pkgs.firefox
    pkgs.thunderbird
  ];
}
