{ ... }:
{
  networking.hostName = "quarry";
  time.timeZone = "Europe/Paris";
}
