{ ... }:
{
  services.avahi = {
    enable = true;
    # nssmdns4 = true;
  };
  time.timeZone = "UTC";
}
