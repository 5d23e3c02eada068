{ config, pkgs, ... }:
{
  networking.hostName = "birch";

  users.users.rui = {
    isNormalUser = true;
  };
}
