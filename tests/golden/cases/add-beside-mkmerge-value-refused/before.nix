{ config, lib, pkgs, ... }:
{
  environment.systemPackages = [ pkgs.git ];

  environment.etc = lib.mkMerge [
    { "app/one.conf".text = "one"; }
    (lib.mkIf config.services.xserver.enable { "app/x.conf".text = "x"; })
  ];
}
