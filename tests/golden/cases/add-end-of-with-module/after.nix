{ config, lib, pkgs, ... }:

with lib;

{
  boot.tmp.cleanOnBoot = mkDefault true;
  time.timeZone = "UTC";
  programs.fish.enable = true;
}
