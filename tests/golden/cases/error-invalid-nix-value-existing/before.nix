{ config, pkgs, ... }:
{
  networking.hostName = "maple";
  services.openssh.enable = true;
}
