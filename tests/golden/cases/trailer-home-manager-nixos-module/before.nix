{ config, pkgs, ... }:
{
  networking.hostName = "lime";

  home-manager.users.ines = {
    home.username = "ines";
    programs.git.enable = true;
    home.stateVersion = "24.05";
  };

  system.stateVersion = "24.05";
}
