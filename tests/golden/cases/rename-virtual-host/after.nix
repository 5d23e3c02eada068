{ ... }:
{
  services.nginx.virtualHosts."new.example.com" = {
    forceSSL = true;
    root = "/srv/www";
  };
}
