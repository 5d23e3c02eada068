{ config, pkgs, ... }:
{
  services.nginx.enable = true;
  services.xserver.xkb = {
    layout = "pt";
    variant = "";
  };
  services.printing.enable = true;
  # trailing notes about printing
  time.timeZone = "UTC";
}
