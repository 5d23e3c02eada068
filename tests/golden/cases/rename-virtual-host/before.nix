{ ... }:
{
  services.nginx.virtualHosts."old.example.com" = {
    forceSSL = true;
    root = "/srv/www";
  };
}
