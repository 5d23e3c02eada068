{ config, pkgs, ... }:
let
  hostName = "oak";
in
{
  imports = [
    (./machines + "/${hostName}.nix")
    <nixpkgs/nixos/modules/profiles/hardened.nix>
  ];
  networking.hostName = hostName;
}
