{ config, pkgs, ... }:
{
  networking.hostName = "birch";

  # Remote logins.
  services.openssh = {
    enable = true;
  };

  system.stateVersion = "24.05";
}
