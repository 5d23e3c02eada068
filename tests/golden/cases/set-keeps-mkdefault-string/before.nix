{ config, lib, ... }:
{
  time.timeZone = lib.mkDefault "Europe/Berlin";
}
