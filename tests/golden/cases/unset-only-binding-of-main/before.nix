{ ... }:
{
  networking.hostName = "solo";
}
