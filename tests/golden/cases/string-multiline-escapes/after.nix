{ config, pkgs, ... }:
{
  environment.etc."motd".text = ''
    echo ''${HOME}
    echo '''two''' \n
  '';
  time.timeZone = "UTC";
}
