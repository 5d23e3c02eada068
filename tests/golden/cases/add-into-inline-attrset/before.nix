{ ... }:
{
  services.openssh = { enable = true; };
  time.timeZone = "UTC";
}
