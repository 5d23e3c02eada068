{ config, pkgs, ... }:
{
  networking.hostName = "elm";
  networking.domain = "home.arpa";
  services.xserver.enable = true;
  services.printing.enable = true;
  services.openssh.enable = true;
  time.timeZone = "UTC";

  # This value determines the NixOS release from which the default
  # settings for stateful data were taken.
  system.stateVersion = "24.05"; # Did you read the comment?
}
