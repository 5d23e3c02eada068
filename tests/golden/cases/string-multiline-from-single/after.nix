{ config, pkgs, ... }:
{
  environment.etc."motd".text = ''
    Welcome.
    Be nice.
  '';
  time.timeZone = "UTC";
}
