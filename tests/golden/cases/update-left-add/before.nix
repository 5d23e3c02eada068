{ config, lib, ... }:
let
  common = { isNormalUser = true; };
in
{
  users.users.alice = {
    description = "Alice";
    extraGroups = [ "wheel" ];
  } // common;
  users.users.bob = common // {
    description = "Bob";
  };
}
