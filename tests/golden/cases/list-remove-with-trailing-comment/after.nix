{ config, pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    wget
    git
  ];
  system.stateVersion = "24.05";
}
