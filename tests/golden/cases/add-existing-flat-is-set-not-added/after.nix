{ config, pkgs, ... }:
{
  services = {
    xserver.enable = true;
    printing.enable = true;
  };

  networking.hostName = "spruce";

  services.openssh.enable = false;

  system.stateVersion = "24.05";
}
