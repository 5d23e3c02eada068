# NixOS module: `programs.nixos-settings.enable = true;` installs NixOS Settings for every
# user, with its privileged helper and the polkit action that lets pkexec start it.
#
# The action is registered because the package is in environment.systemPackages: the
# polkit module links share/polkit-1 of system packages into /run/current-system/sw.
# (Installing the package in a user profile does not register it.)
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.programs.nixos-settings;
in
{
  options.programs.nixos-settings = {
    enable = lib.mkEnableOption "NixOS Settings, a graphical editor for the system configuration";

    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = lib.literalExpression "pkgs.callPackage ./packaging/package.nix { }";
      description = "The NixOS Settings package to install.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];
    # pkexec and the polkit daemon; the helper is useless without them.
    security.polkit.enable = true;
  };
}
