{ config, pkgs, ... }:
{
  networking.hostName = "alder";

  services.xserver = {
    enable = true;
    xkb.layout = "pt";
  };

  users.users.rui = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
  };

  programs.fish.enable = true;

  system.stateVersion = "24.05";
}
