{ config, pkgs, ... }:
{
  networking.hostName = "pine";
  system.stateVersion = "24.05";
}
