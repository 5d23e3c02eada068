{ ... }:
{
  networking.hostName = "birch";
  # Remote logins.
  services.openssh = {
    enable = true;
  };
  time.timeZone = "UTC";
}
