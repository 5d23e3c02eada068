{ ... }:
{
  networking.hostName = "birch";
  time.timeZone = "UTC";
}
