{ config, pkgs, ... }:
{
  environment.etc."motd".text = ''
    a

    b
  '';
  time.timeZone = "UTC";
}
