{ config, pkgs, ... }:
{
  networking.hostName = "birch";

  time.timeZone = "UTC";

  system.stateVersion = "23.11";
}
