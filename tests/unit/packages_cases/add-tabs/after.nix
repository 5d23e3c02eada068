{ pkgs, ... }:
{
	environment.systemPackages = with pkgs; [
		git
		htop
		vim
		zsh
	];
}
