{ config, pkgs, ... }:
{
  networking.hostName = "hazel";
  services.xserver = {
    enable = true;
  };
  system.stateVersion = "24.05";
}
