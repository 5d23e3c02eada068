{ ... }:
{
  networking.firewall.allowedTCPPorts = [ 22 ];
}
