{ pkgs, ... }:
{
  networking.hostName = "x";
  environment.systemPackages = [ pkgs.git ];
}
