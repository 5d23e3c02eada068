{ ... }:
{
  networking.firewall.allowedTCPPorts = [ 80 ];
}
