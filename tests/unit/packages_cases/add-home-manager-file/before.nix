{ config, pkgs, ... }:
{
  home.username = "alice";
  home.packages = with pkgs; [
    bat
    fd
    jq
  ];
}
