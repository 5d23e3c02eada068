{ config, pkgs, ... }:
let
  names = [ "ines" ];
  user = builtins.head names;
in
{
  users.users.${user} = {
    isNormalUser = true;
  };
}
