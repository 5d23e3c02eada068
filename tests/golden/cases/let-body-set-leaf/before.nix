{ config, pkgs, ... }:
{
  systemd.services.caddy = let
    cfg = config.services.caddy;
  in {
    description = "Caddy";
    serviceConfig.ExecStart = "${pkgs.caddy}/bin/caddy run";
  };
}
