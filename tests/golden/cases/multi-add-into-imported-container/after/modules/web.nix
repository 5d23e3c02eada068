{ config, pkgs, ... }:
{
  services.nginx = {
    enable = true;
    recommendedTlsSettings = true;
    recommendedGzipSettings = true;
  };
  networking.firewall.allowedTCPPorts = [ 80 443 ];
}
