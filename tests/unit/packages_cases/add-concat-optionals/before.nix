{ config, lib, pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    git
    vim
    wget
  ] ++ lib.optionals config.services.xserver.enable [
    firefox
  ];
}
