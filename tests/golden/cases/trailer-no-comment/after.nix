{ config, pkgs, ... }:
{
  networking.hostName = "birch";

  time.timeZone = "UTC";

  programs.fish.enable = true;

  system.stateVersion = "23.11";
}
