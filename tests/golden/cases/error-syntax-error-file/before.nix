{ config, pkgs, ... }:
{
  networking.hostName = "maple";
  environment.systemPackages = with pkgs; [ vim git ;
  system.stateVersion = "24.05";
}
