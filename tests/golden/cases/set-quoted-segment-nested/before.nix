{ ... }:
{
  networking.hosts = {
    "127.0.0.1" = [ "localhost" ];
    "192.168.1.10" = [ "nas" ];
  };
}
