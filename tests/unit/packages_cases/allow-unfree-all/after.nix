{ pkgs, ... }:
{
  environment.systemPackages = [ pkgs.git ];
  nixpkgs.config.allowUnfree = true;
}
