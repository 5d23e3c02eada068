args@{ config, pkgs, lib, ... }:
{
  networking.hostName = "alder-1";
}
