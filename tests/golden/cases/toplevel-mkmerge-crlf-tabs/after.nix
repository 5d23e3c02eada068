{ lib, config, ... }:
lib.mkMerge [
	{
		networking.hostName = "t";
		networking.firewall.enable = true;
	}
	(lib.mkIf config.services.xserver.enable {
		programs.firefox.enable = false;
	})
]
