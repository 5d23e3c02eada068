{ config, pkgs, ... }:
let
  user = "ines";
in
{
  users.users.${user} = {
    isNormalUser = true;
  };
}
