{ config, pkgs, ... }:

{
  home.username = "ines";
  home.homeDirectory = "/home/ines";
  home.packages = [ pkgs.ripgrep ];

  programs.git = {
    enable = true;
    userName = "Inês";
  };

  programs.htop.enable = true;

  # This value determines the Home Manager release that your configuration is
  # compatible with.
  home.stateVersion = "24.05"; # Please read the comment before changing.
}
