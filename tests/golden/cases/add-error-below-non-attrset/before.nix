{ config, ... }:
let
  sshCfg = { enable = true; };
in
{
  services.openssh = sshCfg;
}
