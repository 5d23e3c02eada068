{ config, pkgs, ... }:
{
  boot = {
    loader.grub.enable = true;
    loader.grub.device = "/dev/nvme0n1";
    tmp.cleanOnBoot = true;
  };
}
