{ config, pkgs, ... }:
{
  services.nginx.appendHttpConfig = ''
    server_tokens off;
    gzip on;
  '';
  time.timeZone = "UTC";
}
