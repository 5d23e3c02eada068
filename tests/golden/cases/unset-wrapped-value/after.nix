{ lib, ... }:
{
  time.timeZone = "UTC";
}
