{ config, pkgs, ... }:
{
  environment.etc."motd".text = "Olá, ‘mundo’ — ça va? 🚀";
  time.timeZone = "UTC";
}
