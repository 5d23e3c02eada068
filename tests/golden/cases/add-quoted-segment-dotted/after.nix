{ ... }:
{
  services.nginx.enable = true;
  services.nginx.virtualHosts."blog.example.com".root = "/srv/blog";
  services.nginx.virtualHosts."shop.example.com".root = "/srv/shop";
}
