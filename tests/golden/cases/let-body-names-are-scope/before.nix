{ config, pkgs, ... }:
{
  systemd.services.caddy = let
    # the port comes from the service
    port = 8080;
  in {
    # what it is
    description = "Caddy";
    serviceConfig.ExecStart = "${pkgs.caddy}/bin/caddy run"; # started here
    # end of the service
  };
}
