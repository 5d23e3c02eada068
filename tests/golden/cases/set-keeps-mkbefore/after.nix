{ lib, ... }:
{
  networking.nameservers = lib.mkBefore [ "1.1.1.1" "9.9.9.9" ];
}
