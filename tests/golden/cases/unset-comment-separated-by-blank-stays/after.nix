{ config, pkgs, ... }:
{
  # A note about the machine as a whole.

  time.timeZone = "UTC";
}
