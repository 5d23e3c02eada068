{ config, pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    vim # an editor is handy
    git
  ];
  system.stateVersion = "24.05";
}
