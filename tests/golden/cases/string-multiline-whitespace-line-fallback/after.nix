{ config, pkgs, ... }:
{
  environment.etc."motd".text = "a\n   \nb\n";
  time.timeZone = "UTC";
}
