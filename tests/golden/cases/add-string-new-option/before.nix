{ ... }:
{
  networking.hostName = "quarry";
}
