{ config, pkgs, ... }:
{
  environment.etc."motd".text = ''
    first
    second'';
  time.timeZone = "UTC";
}
