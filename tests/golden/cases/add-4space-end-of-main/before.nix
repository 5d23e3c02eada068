{ config, pkgs, ... }:
{
    networking.hostName = "quarry";
    time.timeZone = "UTC";
}
