{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    wget
    git
    htop # process viewer
  ];
}
