{ config, ... }:
{
  networking.hostName = "h";
  systemd.services.caddy = let
    cfg = config.services.caddy;
  in {
    enable = true;
  };
}
