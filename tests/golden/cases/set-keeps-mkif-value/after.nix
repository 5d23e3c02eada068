{ config, lib, ... }:
let
  isLaptop = true;
in
{
  services.tlp.enable = lib.mkIf isLaptop false;
}
