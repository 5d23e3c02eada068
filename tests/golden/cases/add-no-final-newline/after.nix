{ config, pkgs, ... }:
{
  networking.hostName = "poplar";
  services.openssh.enable = true;
  system.stateVersion = "24.05";
}