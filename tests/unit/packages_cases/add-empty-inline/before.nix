{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [ ];
}
