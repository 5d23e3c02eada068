{ config, pkgs, ... }:
{
  networking.hostName = "lantern"; # Pick a name for this machine.
  # networking.wireless.enable = true;
  time.timeZone = "UTC";
}
