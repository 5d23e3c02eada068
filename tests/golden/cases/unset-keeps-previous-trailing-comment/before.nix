{ ... }:
{
  networking.hostName = "lantern"; # Pick a name for this machine.
  networking.domain = "lan";
  time.timeZone = "UTC";
}
