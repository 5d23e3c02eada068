{ config, pkgs, ... }:
{
  services = {
    openssh = {
      enable = true;
      ports = [ 2222 ];
    };
    tailscale.enable = true;
  };
}
