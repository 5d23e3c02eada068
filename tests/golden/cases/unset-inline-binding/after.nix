{ ... }:
{
  services.openssh = { enable = true; };
}
