{ config, pkgs, ... }:
{
  networking.hostName = "pine";
  services.openssh.enable = true;
}
