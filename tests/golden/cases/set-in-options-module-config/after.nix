{ config, lib, pkgs, ... }:
with lib;
let
  cfg = config.services.pastebin;
in
{
  options.services.pastebin = {
    enable = mkEnableOption "a small pastebin";
    port = mkOption {
      type = types.port;
      default = 7070;
    };
  };

  config = mkIf cfg.enable {
    networking.firewall.allowedTCPPorts = [ cfg.port 9000 ];
  };
}
