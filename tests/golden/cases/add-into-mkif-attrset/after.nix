{ config, lib, ... }:
let
  isLaptop = true;
in
{
  services.xserver = lib.mkIf isLaptop {
    enable = true;
    xkb.layout = "pt";
  };
  time.timeZone = "UTC";
}
