{ lib, ... }:
{
  networking.nameservers = lib.mkBefore [ "9.9.9.9" ];
}
