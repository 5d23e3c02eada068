{ config, pkgs, ... }:
{
  networking.hostName = "pine";
  # Remote logins.
  services.openssh.enable = true;
  system.stateVersion = "24.05";
}
