{ ... }:
{
  services.nginx.virtualHosts = let
    domain = "example.org";
  in rec {
    "www.example.org" = {
      root = "/srv/www";
    };
  };
}
