{ pkgs, ... }:
{
  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
  };
  home-manager.users.alice = import ./home.nix;
}
