{ config, pkgs, ... }:
{
  environment.etc."motd".text = "hello";
  time.timeZone = "UTC";
}
