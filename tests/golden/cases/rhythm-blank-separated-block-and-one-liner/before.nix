{ config, pkgs, ... }:
{
  networking.hostName = "alder";

  services.xserver = {
    enable = true;
    xkb.layout = "pt";
  };

  system.stateVersion = "24.05";
}
