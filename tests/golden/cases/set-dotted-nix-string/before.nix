{ ... }:
{
  time.timeZone = "UTC"; # servers live in UTC
  system.stateVersion = "23.11";
}
