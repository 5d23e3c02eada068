{ ... }:
{
  services.openssh = {
    enable = true; # on for the migration
    ports = [ 2222 ];
  };
}
