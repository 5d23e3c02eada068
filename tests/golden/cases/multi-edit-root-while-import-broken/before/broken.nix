{ pkgs, ... }:
{
  services.openssh.enable = true
  services.nginx.enable = true;
}
