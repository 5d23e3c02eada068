{ ... }:
{
  services.openssh = {
    enable = true;
  };
}
