{ config, pkgs, ... }:
{
  services.openssh.enable = true;
  services.openssh.settings.PermitRootLogin = "no";

  services.printing.enable = true;
  time.timeZone = "UTC";
}
