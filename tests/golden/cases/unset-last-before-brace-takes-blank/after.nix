{ ... }:
{
  networking.hostName = "x";

  services.openssh = {
    enable = true;
  };
}
