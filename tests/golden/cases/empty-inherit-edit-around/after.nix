{ pkgs, ... }:
{
  inherit (pkgs) ;
  networking.hostName = "b";
  services.openssh.enable = true;
  services.openssh.ports = [ 22 ];
}
