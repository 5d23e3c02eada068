{ config, pkgs, ... }:
{
  imports = [ ./broken.nix ];
  networking.hostName = "elm";
  system.stateVersion = "24.05";
}
