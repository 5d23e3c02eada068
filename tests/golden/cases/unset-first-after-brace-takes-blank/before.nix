{ ... }:
{
  networking.hostName = "x";

  time.timeZone = "UTC";
}
