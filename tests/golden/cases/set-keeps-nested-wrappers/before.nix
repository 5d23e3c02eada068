{ lib, ... }:
{
  security.sudo.wheelNeedsPassword = lib.mkForce (lib.mkDefault false);
}
