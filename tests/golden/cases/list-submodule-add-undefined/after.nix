{ config, pkgs, ... }:

{
  networking.hostName = "box";
  swapDevices = [
    {
      device = "/swapfile";
      size = 4096;
    }
  ];
}
