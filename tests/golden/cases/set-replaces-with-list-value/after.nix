{ pkgs, ... }:
{
  environment.systemPackages = [ pkgs.hello ];
  system.stateVersion = "24.05";
}
