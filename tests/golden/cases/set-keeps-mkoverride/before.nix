{ lib, ... }:
{
  documentation.nixos.enable = lib.mkOverride 900 false;
}
