{ config, pkgs, ... }:
{
  imports = [ ./desktop.nix ];

  networking.hostName = "box";
  services.xserver.libinput.enable = true;
  system.stateVersion = "24.05";
}
