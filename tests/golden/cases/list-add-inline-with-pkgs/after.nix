{ pkgs, ... }:
{
  fonts.packages = with pkgs; [ noto-fonts fira-code ];
}
