{ lib, ... }:
{
  boot.initrd.availableKernelModules = [ "virtio_pci" "virtio_blk" ];
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
