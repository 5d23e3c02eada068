{ config, pkgs, ... }:
{
  services.nginx.enable = true;
  services.xserver.xkb = {
    layout = "pt";
    variant = "";
  };
  # trailing notes about printing
  time.timeZone = "UTC";
}
