{ ... }:
{
  services.openssh.enable = true; # temporary, for the migration
  time.timeZone = "UTC";
}
