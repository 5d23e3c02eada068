{ config, lib, pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    git
    tmux
    vim
    wget
  ] ++ lib.optionals config.services.xserver.enable [
    firefox
  ];
}
