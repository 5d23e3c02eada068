{ config, pkgs, ... }:
{
  boot = {
    loader.grub.enable = true;
    loader.grub.device = "/dev/sda";
    tmp.cleanOnBoot = true;
  };
}
