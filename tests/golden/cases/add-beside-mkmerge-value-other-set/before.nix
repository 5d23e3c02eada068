{ config, lib, pkgs, ... }:
{
  environment = {
    systemPackages = [ pkgs.git ];
    variables.EDITOR = "vim";
  };

  environment.etc = lib.mkMerge [
    { "app/one.conf".text = "one"; }
  ];
}
