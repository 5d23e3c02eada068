{ config, lib, pkgs, ... }:
let
  cfg = config.my.desktop;
in
lib.mkMerge [
  {
    networking.hostName = "box";
    services.openssh.enable = true;
  }
  (lib.mkIf cfg.enable {
    services.xserver.enable = true;
    # the desktop
    services.xserver.desktopManager.plasma5.enable = true;
    services.xserver.xkb.layout = "de";
  })
]
