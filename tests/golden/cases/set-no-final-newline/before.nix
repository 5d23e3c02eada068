{ config, pkgs, ... }:
{
  networking.hostName = "poplar";
  system.stateVersion = "24.05";
}