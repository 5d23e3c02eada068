{ config, lib, ... }:
let
  common = { isNormalUser = true; };
in
{
  users.users.alice = {
    description = "Alice";
    extraGroups = [ "wheel" ];
    uid = 1000;
  } // common;
  users.users.bob = common // {
    description = "Bob";
  };
}
