{ config, pkgs, ... }:

let
  user = "rui";
in
{
  users.users.${user}.isNormalUser = true;
  time.timeZone = "UTC";
  programs.zsh.enable = true;
}
