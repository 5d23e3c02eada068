{ config, pkgs, ... }:
{
  networking.hostName = "yew";

  system.stateVersion = "24.05"; # Did you read the comment?

  # added later, after the stateVersion line
  time.timeZone = "UTC";
}
