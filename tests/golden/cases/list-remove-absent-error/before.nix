{ config, pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    vim # an editor is handy
    wget
    git
  ];
  system.stateVersion = "24.05";
}
