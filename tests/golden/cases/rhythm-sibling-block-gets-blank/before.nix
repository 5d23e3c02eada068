{ config, pkgs, ... }:
{
  networking.hostName = "maple";

  services.xserver = {
    enable = true;
  };

  system.stateVersion = "24.05";
}
