{ ... }:
{
  services = {
    openssh = {
      enable = true;
    };
  };
  networking.hostName = "x";
}
