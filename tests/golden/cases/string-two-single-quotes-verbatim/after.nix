{ config, pkgs, ... }:
{
  environment.etc."motd".text = "it''s fine";
  time.timeZone = "UTC";
}
