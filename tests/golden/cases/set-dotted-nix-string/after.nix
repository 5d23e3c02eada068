{ ... }:
{
  time.timeZone = "Europe/Paris"; # servers live in UTC
  system.stateVersion = "23.11";
}
