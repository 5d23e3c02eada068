{ ... }:
{
  networking.firewall.allowedTCPPorts = [ 22 80 ];
}
