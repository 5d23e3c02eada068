{ config, pkgs, ... }:
{
  environment.etc."motd".text = "home is \${HOME}, path is $PATH";
  time.timeZone = "UTC";
}
