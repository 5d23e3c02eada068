{ pkgs, ... }:
{
  nixpkgs.config.allowBroken = false;
  nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (builtins.parseDrvName pkg.name).name [ "steam" ];
}
