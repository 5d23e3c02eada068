{ config, pkgs, ... }:
{
  services.xserver.enable = true;

  # Printing through CUPS.
  services.printing.enable = true;

  # Sound with PipeWire.
  security.rtkit.enable = true;
}
