{ config, pkgs, ... }:
{
  imports = [
    ./hardware-configuration.nix
    ./modules
    ./missing.nix
  ];

  networking.hostName = "oak";
  system.stateVersion = "24.05";
}
