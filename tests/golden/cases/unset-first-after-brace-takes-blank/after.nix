{ ... }:
{
  time.timeZone = "UTC";
}
