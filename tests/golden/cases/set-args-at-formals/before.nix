args@{ config, pkgs, lib, ... }:
{
  networking.hostName = "alder";
}
