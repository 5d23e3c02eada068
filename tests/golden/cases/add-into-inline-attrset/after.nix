{ ... }:
{
  services.openssh = { enable = true; ports = [ 2222 ]; };
  time.timeZone = "UTC";
}
