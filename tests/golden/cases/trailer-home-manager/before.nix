{ config, pkgs, ... }:

{
  home.username = "ines";
  home.homeDirectory = "/home/ines";

  programs.git = {
    enable = true;
    userName = "Inês";
  };

  # This value determines the Home Manager release that your configuration is
  # compatible with.
  home.stateVersion = "24.05"; # Please read the comment before changing.
}
