{ ... }:
{
  /* block comment before a binding */
  time.timeZone = "Asia/Tokyo";
  networking.hostName = "larch";
}
