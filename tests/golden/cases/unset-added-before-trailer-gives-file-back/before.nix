{ config, pkgs, ... }:
{
  # This value determines the NixOS release from which the default
  # settings for stateful data were taken.
  system.stateVersion = "24.05"; # Did you read the comment?
}
