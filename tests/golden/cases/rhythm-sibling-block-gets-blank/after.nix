{ config, pkgs, ... }:
{
  networking.hostName = "maple";

  services.xserver = {
    enable = true;
  };

  services.printing.enable = true;

  system.stateVersion = "24.05";
}
