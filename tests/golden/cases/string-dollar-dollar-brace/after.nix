{ config, pkgs, ... }:
{
  environment.etc."motd".text = "$\${x}";
  time.timeZone = "UTC";
}
