{ ... }:
{
  services.avahi = {
    # nssmdns4 = true;
  };
  time.timeZone = "UTC";
}
