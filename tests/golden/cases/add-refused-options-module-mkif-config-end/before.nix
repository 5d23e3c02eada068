{ config, lib, ... }:
let
  cfg = config.services.pastebin;
in
{
  options.services.pastebin.enable = lib.mkEnableOption "a small pastebin";

  config = lib.mkIf cfg.enable {
    users.groups.pastebin = { };
  };
}
