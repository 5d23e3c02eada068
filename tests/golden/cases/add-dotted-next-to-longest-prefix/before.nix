{ config, pkgs, ... }:
{
  networking.hostName = "quarry";
  networking.firewall.enable = true;
  networking.firewall.allowedTCPPorts = [ 22 80 ];
  networking.useDHCP = true;
  services.openssh.enable = true;
}
