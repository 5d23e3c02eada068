{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    alacritty
    curl
    git
    htop
    wget
    zsh
  ];
}
