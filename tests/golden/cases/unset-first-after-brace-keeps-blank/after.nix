{ ... }:
{

  time.timeZone = "UTC";
}
