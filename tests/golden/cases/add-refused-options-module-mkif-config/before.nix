{ config, lib, pkgs, ... }:
with lib;
let
  cfg = config.services.pastebin;
in
{
  options.services.pastebin.enable = mkEnableOption "a small pastebin";

  config = mkIf cfg.enable {
    systemd.services.pastebin = {
      description = "Pastebin service";
      serviceConfig.ExecStart = "${pkgs.python3}/bin/python -m http.server";
      serviceConfig.User = "pastebin";
    };
  };
}
