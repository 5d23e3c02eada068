{ config, pkgs, ... }:
{
  networking.hostName = "lantern";
  # Printing through CUPS.
  # Needs the avahi daemon for discovery.
  services.printing.enable = true;
  time.timeZone = "UTC";
}
