{ lib, ... }:
{
  boot.initrd.availableKernelModules = [ "virtio_pci" "virtio_blk" ];
  nixpkgs.hostPlatform = lib.mkDefault "aarch64-linux";
}
