{ config, pkgs, ... }:
{
  networking.hostName = "hazel";
  services.xserver = {
    enable = true;
  };
  users.users.rui = {
    isNormalUser = true;
  };
  programs.fish.enable = true;
  system.stateVersion = "24.05";
}
