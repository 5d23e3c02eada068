{ pkgs, ... }:
{
  networking.hostName = "x";
}
