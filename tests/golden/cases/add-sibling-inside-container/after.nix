{ ... }:
{
  services.openssh = {
    enable = true;
    settings.X11Forwarding = false;
    settings.PermitRootLogin = "no";
    openFirewall = true;
  };
}
