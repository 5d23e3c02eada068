{ ... }:
{
  networking.hostName = "poplar";
}