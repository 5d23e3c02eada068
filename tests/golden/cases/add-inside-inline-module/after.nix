{ config, pkgs, ... }:

{
  imports = [ <home-manager/nixos> ];

  home-manager.users.jane = { pkgs, ... }: {
    home.packages = [ pkgs.ripgrep pkgs.fd ];

    programs.git = {
      enable = true;
      userName = "Jane";
    };

    home.stateVersion = "23.11";
  };
}
