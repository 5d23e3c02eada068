{
  config,
  pkgs,
  lib,
}:
{
  networking.hostName = "rowan";
  programs.git = {
    enable = true;
    lfs.enable = false;
  };
}
