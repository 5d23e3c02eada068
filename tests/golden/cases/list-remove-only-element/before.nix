{ ... }:
{
  boot.kernelModules = [ "kvm-amd" ];
}
