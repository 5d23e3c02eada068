{ config, pkgs, ... }:
{
    networking.hostName = "birch";
    services.openssh = {
        enable = true;
        openFirewall = true;
        ports = [ 2222 ];
    };
}
