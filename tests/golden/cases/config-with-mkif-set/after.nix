{ config, lib, pkgs, ... }:
with lib;
let
  cfg = config.services.hello;
in
{
  options.services.hello.enable = mkEnableOption "hello";

  config = with pkgs; mkIf cfg.enable {
    environment.systemPackages = [ hello cowsay ];
    systemd.services.hello.wantedBy = [ "multi-user.target" ];
  };
}
