{ config, lib, pkgs, ... }:
with lib;
{
  boot.kernelPackages = mkForce pkgs.linuxPackages_6_6;
}
