{ config, pkgs, ... }:
{
	networking = {
		hostName = "fern";
		firewall.allowedTCPPorts = [ 80 ];
	};
}
