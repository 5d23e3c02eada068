{ config, pkgs, ... }:
rec {
  networking.hostName = "willow";
  services.caddy = {
    enable = true;
    email = "ops@example.net";
  };
}
