{ config, lib, pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    git
  ] ++ lib.optionals config.services.xserver.enable [
    thunderbird
  ];
}
