{ ... }:
{
  services.nginx.enable = true;
  services.nginx.virtualHosts."blog.example.com".root = "/srv/blog";
}
