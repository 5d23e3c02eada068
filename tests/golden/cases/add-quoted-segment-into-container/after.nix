{ ... }:
{
  networking.hosts = {
    "127.0.0.1" = [ "localhost" ];
    "192.168.0.2" = [ "router" ];
  };
}
