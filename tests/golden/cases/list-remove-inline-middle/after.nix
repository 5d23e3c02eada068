{ ... }:
{
  nix.settings.experimental-features = [ "nix-command" "ca-derivations" ];
}
