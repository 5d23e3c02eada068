{ ... }:
{
  boot.kernelModules = [ ];
}
