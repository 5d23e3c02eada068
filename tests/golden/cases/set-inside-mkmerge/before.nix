{ config, lib, pkgs, ... }:
let
  gaming = true;
in
{
  config = lib.mkMerge [
    {
      programs.firefox.enable = true;
    }
    (lib.mkIf gaming {
      programs.steam.enable = true;
    })
  ];
}
