{ ... }:
{
  networking.hostName = "poplar";
  services.openssh.enable = true;
}