{ config, pkgs, ... }:
{
  networking.hostName = "fresh";
}
