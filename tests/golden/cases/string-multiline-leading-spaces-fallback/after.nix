{ config, pkgs, ... }:
{
  environment.etc."motd".text = "  indented\n  lines\n";
  time.timeZone = "UTC";
}
