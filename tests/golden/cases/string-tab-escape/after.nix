{ config, pkgs, ... }:
{
  environment.etc."motd".text = "a\tb";
  time.timeZone = "UTC";
}
