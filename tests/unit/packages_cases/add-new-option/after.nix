{ config, pkgs, ... }:
{
  networking.hostName = "box";
  environment.systemPackages = [ pkgs.git ];
}
