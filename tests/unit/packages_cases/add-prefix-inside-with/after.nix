{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    pkgs.firefox
    pkgs.thunderbird
    pkgs.python3Packages.requests
  ];
}
