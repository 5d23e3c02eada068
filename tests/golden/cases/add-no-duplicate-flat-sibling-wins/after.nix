{ config, pkgs, ... }:
{
  services = {
    xserver.enable = true;
    printing.enable = true;
  };

  networking.hostName = "spruce";

  services.openssh.enable = true;
  services.openssh.ports = [ 2222 ];

  system.stateVersion = "24.05";
}
