{ ... }:
{
  boot.kernelModules = [ "kvm-intel" ];
}
