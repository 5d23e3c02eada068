{ config, pkgs, ... }:
{
  services.xserver.enable = true;

  # Sound with PipeWire.
  security.rtkit.enable = true;
}
