{ pkgs, ... }:
{
  environment.systemPackages = [
  ];
}
