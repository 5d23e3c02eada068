{ config, pkgs, ... }:
{
  imports = [ ./desktop.nix ];

  networking.hostName = "box";
  system.stateVersion = "24.05";
  services.xserver.libinput.enable = true;
}
