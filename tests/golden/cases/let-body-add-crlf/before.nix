{ lib, ... }:
{
  networking.interfaces = let
    tap0 = "tap0";
  in {
    eth0.useDHCP = true;
  };
}
