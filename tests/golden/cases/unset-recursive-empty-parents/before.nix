{ ... }:
{
  networking.hostName = "birch";
  services = {
    openssh = {
      enable = true;
    };
  };
  time.timeZone = "UTC";
}
