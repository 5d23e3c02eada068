{ config, pkgs, ... }:
{
  networking.hostName = "poplar-2";
  system.stateVersion = "24.05";
}