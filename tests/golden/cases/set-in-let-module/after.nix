{ config, pkgs, ... }:

let
  sshPort = 2222;
in
{
  services.openssh = {
    enable = true;
    ports = [ sshPort 22 ];
  };
}
