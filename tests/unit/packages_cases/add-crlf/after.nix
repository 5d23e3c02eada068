{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    zsh
    git
    htop
  ];
}
