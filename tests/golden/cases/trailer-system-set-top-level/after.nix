{ config, pkgs, ... }:
{
  networking.hostName = "cedar";
  time.timeZone = "UTC";
  programs.fish.enable = true;

  # Read the comment in the manual before changing this.
  system = {
    stateVersion = "24.05"; # Did you read the comment?
  };
}
