{ ... }:
{
  networking.hostName = "larch";
}
