{ pkgs, ... }:
{
  users.users.bob = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
  };
}
