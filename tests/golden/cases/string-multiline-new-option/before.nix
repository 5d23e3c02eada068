{ ... }:
{
  networking.hostName = "x";
}
