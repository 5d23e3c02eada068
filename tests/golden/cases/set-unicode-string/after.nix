# Configuração da Zoë — “não mexer” 🎉
{ config, pkgs, ... }:
{
  users.users.zoe = {
    isNormalUser = true;
    description = "Zoë Ñúñez 🎉";
  };
  time.timeZone = "America/São_Paulo"; # ✨
}
