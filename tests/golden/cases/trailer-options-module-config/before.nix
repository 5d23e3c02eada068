{ config, lib, pkgs, ... }:
{
  options.my.enable = lib.mkEnableOption "my things";

  config = {
    networking.hostName = "pine";
    system.stateVersion = "24.05";
  };
}
