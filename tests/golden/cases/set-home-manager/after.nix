{ config, pkgs, ... }:

{
  home.username = "tomas";
  programs.git = {
    enable = true;
    userName = "Tomás F.";
  };
  home.stateVersion = "24.05";
}
