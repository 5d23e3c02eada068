{ pkgs, ... }:
{
  home-manager.users.alice = {
    home.packages = [ pkgs.bat ];
  };
}
