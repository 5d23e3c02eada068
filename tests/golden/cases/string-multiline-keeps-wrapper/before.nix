{ lib, ... }:
{
  programs.bash.shellInit = lib.mkBefore ''
    umask 022
  '';
}
