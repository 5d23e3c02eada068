{ config, pkgs, ... }:
{
  networking.hostName = "yew";

  system.stateVersion = "24.05"; # Did you read the comment?
  system.autoUpgrade.enable = true;

  # added later, after the stateVersion line
  time.timeZone = "UTC";

  programs.fish.enable = true;
}
