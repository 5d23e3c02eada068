{ config, pkgs, ... }:
{
	boot.loader.systemd-boot.enable = true;

	networking.hostName = "fern";
	system.stateVersion = "24.05";
}
