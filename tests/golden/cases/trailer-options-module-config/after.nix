{ config, lib, pkgs, ... }:
{
  options.my.enable = lib.mkEnableOption "my things";

  config = {
    networking.hostName = "pine";
    programs.fish.enable = true;
    system.stateVersion = "24.05";
  };
}
