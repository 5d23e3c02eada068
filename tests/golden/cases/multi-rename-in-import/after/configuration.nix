{ ... }:
{
  imports = [ ./users/alice.nix ];
  networking.hostName = "oak";
}
