{ lib, ... }:
{
  security.sudo.wheelNeedsPassword = lib.mkForce (lib.mkDefault true);
}
