{ ... }:
{
  networking.firewall /* block in the path */ .enable = false;
}
