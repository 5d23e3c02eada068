{ config, pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    vim # an editor is handy
    wget
    gitFull
  ];
  system.stateVersion = "24.05";
}
