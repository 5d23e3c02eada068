# Configuration de la machine de René
{ config, pkgs, ... }:
{
  networking.hostName = "renoir";
  services.openssh.enable = false;
}
