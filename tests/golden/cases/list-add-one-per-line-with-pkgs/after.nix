{ config, pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    vim # an editor is handy
    wget
    git
    htop
  ];
  system.stateVersion = "24.05";
}
