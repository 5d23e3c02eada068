{ config, pkgs, ... }@args:
{
  services.openssh.enable = args.lib.mkDefault false;
}
