{ config, pkgs, ... }:
{
  systemd.services.caddy = let
    cfg = config.services.caddy;
  in {
    description = "Web server";
    serviceConfig.ExecStart = "${pkgs.caddy}/bin/caddy run";
  };
}
