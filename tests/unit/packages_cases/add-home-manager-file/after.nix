{ config, pkgs, ... }:
{
  home.username = "alice";
  home.packages = with pkgs; [
    bat
    eza
    fd
    jq
    ripgrep
  ];
}
