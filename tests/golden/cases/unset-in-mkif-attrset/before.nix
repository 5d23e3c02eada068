{ config, lib, ... }:
{
  hardware.bluetooth = lib.mkIf (config.networking.hostName != "server") {
    enable = true;
    powerOnBoot = false;
  };
}
