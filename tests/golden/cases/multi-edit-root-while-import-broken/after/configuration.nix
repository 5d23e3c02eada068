{ config, pkgs, ... }:
{
  imports = [ ./broken.nix ];
  networking.hostName = "elm-2";
  system.stateVersion = "24.05";
}
