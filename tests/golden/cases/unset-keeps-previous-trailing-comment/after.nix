{ ... }:
{
  networking.hostName = "lantern"; # Pick a name for this machine.
  time.timeZone = "UTC";
}
