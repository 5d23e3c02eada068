{ config, lib, ... }:
let
  isLaptop = true;
in
{
  services.xserver = lib.mkIf isLaptop {
    enable = true;
  };
  time.timeZone = "UTC";
}
