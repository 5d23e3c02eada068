{ config, pkgs, ... }:
{
  environment.systemPackages = [ pkgs.vim pkgs.git pkgs.curl ];
}
