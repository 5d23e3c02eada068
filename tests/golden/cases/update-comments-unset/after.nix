{ lib, ... }:
let
  defaults = { shell = "/bin/sh"; };
in
{
  users.users.carol = {
    # who she is
    description = "Carol";
  } // defaults;
}
