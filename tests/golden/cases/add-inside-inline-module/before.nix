{ config, pkgs, ... }:

{
  imports = [ <home-manager/nixos> ];

  home-manager.users.jane = { pkgs, ... }: {
    home.packages = [ pkgs.ripgrep ];

    programs.git = {
      enable = true;
    };

    home.stateVersion = "23.11";
  };
}
