{ ... }:
{
  nix.settings.experimental-features = [ "nix-command" "flakes" "ca-derivations" ];
}
