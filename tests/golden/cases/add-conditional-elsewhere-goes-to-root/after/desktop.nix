{ config, lib, ... }:
{
  services.xserver = lib.mkIf (config.networking.hostName == "box") {
    enable = true;
  };
}
