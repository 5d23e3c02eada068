{ config, pkgs, ... }:
{
  services.openssh.enable = true;
  services.openssh.settings.PermitRootLogin = "no";
  services.openssh.ports = [ 2222 ];

  services.printing.enable = true;
  time.timeZone = "UTC";
}
