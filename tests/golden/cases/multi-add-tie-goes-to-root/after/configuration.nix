{ config, pkgs, ... }:
{
  imports = [
    ./hardware-configuration.nix
    ./modules
    ./missing.nix
  ];

  networking.hostName = "oak";
  networking.domain = "home.arpa";
  system.stateVersion = "24.05";
}
