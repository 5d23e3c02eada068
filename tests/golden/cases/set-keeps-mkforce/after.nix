{ config, lib, ... }:
{
  networking.firewall.enable = lib.mkForce true;
  system.stateVersion = "23.11";
}
