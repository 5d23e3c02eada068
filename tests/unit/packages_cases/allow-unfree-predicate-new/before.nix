{ pkgs, ... }:
{
  nixpkgs.config.allowBroken = false;
}
