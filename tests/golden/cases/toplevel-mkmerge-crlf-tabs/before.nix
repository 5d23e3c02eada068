{ lib, config, ... }:
lib.mkMerge [
	{
		networking.hostName = "t";
	}
	(lib.mkIf config.services.xserver.enable {
		programs.firefox.enable = true;
	})
]
