{ pkgs, ... }:
{
  inherit (pkgs) ;
  networking.hostName = "a";
  services.openssh.enable = true;
}
