{ lib, ... }:
{
  boot.kernelParams = lib.mkOrder 500 [ "quiet" "splash" ];
}
