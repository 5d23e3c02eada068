{ lib, ... }:
{
  programs.bash.shellInit = lib.mkBefore ''
    umask 077
    ulimit -n 4096
  '';
}
