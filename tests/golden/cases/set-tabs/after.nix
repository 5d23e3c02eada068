{ config, pkgs, ... }:
{
	networking = {
		hostName = "fern-2";
		firewall.allowedTCPPorts = [ 80 ];
	};
}
