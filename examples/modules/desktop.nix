# Graphical desktop.
{ config, lib, pkgs, ... }:

{
  services.xserver = {
    enable = true;
    layout = "us";
    xkbOptions = "caps:escape";
    displayManager.sddm.enable = true;
    desktopManager.plasma5.enable = true;
  };

  sound.enable = true;
  hardware.pulseaudio.enable = lib.mkForce true;

  fonts.fonts = with pkgs; [ noto-fonts fira-code ];
}
