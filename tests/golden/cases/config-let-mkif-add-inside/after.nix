{ config, lib, ... }:
{
  options.my.router.enable = lib.mkEnableOption "router";

  config = let
    cfg = config.my.router;
  in lib.mkIf cfg.enable {
    networking.nat = {
      enable = true;
      externalInterface = "eth0";
      internalInterfaces = [ "ve-+" ];
    };
  };
}
