{ config, pkgs, ... }:
{
    networking.hostName = "quarry";
    time.timeZone = "UTC";
    programs.fish.enable = true;
}
