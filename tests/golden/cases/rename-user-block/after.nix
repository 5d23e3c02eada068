{ pkgs, ... }:
{
  users.users.bob = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
  };
  home-manager.users.alice = import ./home.nix;
}
