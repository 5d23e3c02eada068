{ lib, ... }:
{
  networking.firewall.enable = lib.mkForce false;
  time.timeZone = "UTC";
}
