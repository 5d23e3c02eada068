{ ... }:
{
  imports = [
    ./ssh.nix
    ./web.nix
  ];
}
