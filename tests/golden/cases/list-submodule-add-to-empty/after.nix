{ config, pkgs, ... }:
{
  boot.loader.grub.device = "/dev/sda";
  swapDevices = [
    {
      device = "/dev/sda2";
      priority = 10;
    }
  ];
}
