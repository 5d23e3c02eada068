{ pkgs, ... }:
{
  environment.systemPackages = [ pkgs.curl pkgs.git pkgs.htop pkgs.vim ];
}
