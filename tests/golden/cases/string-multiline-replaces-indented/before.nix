{ config, pkgs, ... }:
{
  services.nginx.appendHttpConfig = ''
    server_tokens off;
  '';
  time.timeZone = "UTC";
}
