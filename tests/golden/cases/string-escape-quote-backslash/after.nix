{ config, pkgs, ... }:
{
  environment.etc."motd".text = "say \"hi\" \\ bye";
  time.timeZone = "UTC";
}
