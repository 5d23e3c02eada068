{ ... }:
{
  services.openssh = {
    enable = true; # on for the migration
  };
}
