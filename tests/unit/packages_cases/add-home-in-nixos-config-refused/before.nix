{ pkgs, ... }:
{
  networking.hostName = "box";
}
