{ config, pkgs, ... }:
{
  system.autoUpgrade.enable = true;
  system.autoUpgrade.allowReboot = false;
  system.copySystemConfiguration = true;

  networking.hostName = "ash";

  system.stateVersion = "24.05"; # Did you read the comment?
}
