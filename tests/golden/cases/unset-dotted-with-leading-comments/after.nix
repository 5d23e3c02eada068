{ config, pkgs, ... }:
{
  networking.hostName = "lantern";
  time.timeZone = "UTC";
}
