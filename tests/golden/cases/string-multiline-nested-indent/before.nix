{ pkgs, ... }:
{
  systemd.services.backup = {
    description = "Nightly backup";
    script = "true";
  };
}
