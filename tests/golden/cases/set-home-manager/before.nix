{ config, pkgs, ... }:

{
  home.username = "tomas";
  programs.git = {
    enable = true;
    userName = "Tomás Ferreira";
  };
  home.stateVersion = "24.05";
}
