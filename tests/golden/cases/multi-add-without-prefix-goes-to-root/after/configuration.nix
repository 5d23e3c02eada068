{ config, pkgs, ... }:
{
  imports = [
    ./hardware-configuration.nix
    ./modules
    ./missing.nix
  ];

  networking.hostName = "oak";
  programs.fish.enable = true;
  system.stateVersion = "24.05";
}
