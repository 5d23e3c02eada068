{ config, pkgs, ... }:
rec {
  networking.hostName = "willow";
  services.caddy = {
    enable = true;
    email = "admin@example.net";
  };
}
