{ config, pkgs, ... }:
{
  networking.hostName = "box";
}
