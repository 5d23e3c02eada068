{ config, pkgs, ... }:
{
  # A note about the machine as a whole.

  networking.hostName = "lantern";
  time.timeZone = "UTC";
}
