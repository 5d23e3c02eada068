{ ... }:
{
  services.fstrim.enable = true;
}
