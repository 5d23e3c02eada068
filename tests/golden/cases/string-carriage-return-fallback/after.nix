{ config, pkgs, ... }:
{
  environment.etc."motd".text = "a\r\nb";
  time.timeZone = "UTC";
}
