{ config, lib, ... }:
let
  common = { isNormalUser = true; };
in
{
  users.users.alice = {
    description = "Alice A.";
    extraGroups = [ "wheel" ];
  } // common;
  users.users.bob = common // {
    description = "Bob";
  };
}
