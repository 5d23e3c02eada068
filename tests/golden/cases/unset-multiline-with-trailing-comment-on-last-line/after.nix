{ pkgs, ... }:
{
  time.timeZone = "UTC";
}
