{ lib, pkgs, ... }:
{
  environment.systemPackages = lib.mkAfter [ pkgs.htop ];
}
