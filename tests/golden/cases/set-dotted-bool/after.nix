{ config, pkgs, ... }:
{
  networking.hostName = "quarry";
  services.openssh.enable = false;
  system.stateVersion = "23.11";
}
