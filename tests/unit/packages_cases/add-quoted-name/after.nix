{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [ zsh pkgs."0ad" ];
}
