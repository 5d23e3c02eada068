{ pkgs, ... }:
{
  # tools for everyone
  environment.systemPackages = [ pkgs.git pkgs.curl ];
}
