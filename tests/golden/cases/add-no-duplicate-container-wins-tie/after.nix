{ config, pkgs, ... }:
{
  services = {
    xserver.enable = true;
    printing.enable = true;
    avahi.enable = true;
  };

  networking.hostName = "spruce";

  services.openssh.enable = true;

  system.stateVersion = "24.05";
}
