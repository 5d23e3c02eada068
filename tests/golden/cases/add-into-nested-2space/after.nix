{ config, pkgs, ... }:
{
  networking.hostName = "birch";

  # Remote logins.
  services.openssh = {
    enable = true;
    ports = [ 2222 ];
  };

  system.stateVersion = "24.05";
}
