{ config, pkgs, ... }:
{
  networking.hostName = "quarry";
  services.openssh.enable = true;
  system.stateVersion = "23.11";
}
