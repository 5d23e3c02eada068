{ ... }:
{
  time.timeZone = "UTC";
  services.openssh.enable = false;
}
