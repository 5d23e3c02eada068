{ pkgs, stdenv, fetchurl }:
{
  foo = stdenv.mkDerivation { };
}
