{ config, pkgs, ... }:
{
  networking.hostName = "lantern"; # Pick a name for this machine.

  programs.fish.enable = true;

  # This value names the release whose defaults stateful data was created with.
  system.stateVersion = "24.05"; # Did you read the comment?

}
