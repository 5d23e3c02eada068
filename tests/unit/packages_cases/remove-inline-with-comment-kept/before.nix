{ pkgs, ... }:
{
  # tools for everyone
  environment.systemPackages = [ pkgs.git pkgs.htop pkgs.curl ];
}
