{ config, pkgs, ... }:
{
  networking.hostName = "pine";

  services.openssh = {
    enable = true;
    ports = [ 22 ];
    openFirewall = true;
  };

  programs.fish.enable = true;

  system.stateVersion = "24.05"; # Did you read the comment?
}
