# Portátil da Zoë 🎉
{ config, pkgs, ... }:
{
  networking.hostName = "zoë-laptop"; # o nome tem um trema
  users.users.zoe.description = "Zoë 🎉";
  system.stateVersion = "24.05"; # “Leu o comentário?”
}
