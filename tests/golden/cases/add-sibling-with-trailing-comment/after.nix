{ config, pkgs, ... }:
{
  networking.hostName = "lantern"; # Pick a name for this machine.
  networking.domain = "home.arpa";
  # networking.wireless.enable = true;
  time.timeZone = "UTC";
}
