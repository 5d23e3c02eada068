{ config, lib, ... }:
{
  networking.firewall.enable = lib.mkForce false;
  system.stateVersion = "23.11";
}
