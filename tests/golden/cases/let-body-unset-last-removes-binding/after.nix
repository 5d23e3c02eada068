{ config, ... }:
{
  networking.hostName = "h";
}
