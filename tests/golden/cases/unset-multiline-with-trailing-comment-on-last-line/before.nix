{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    vim
  ]; # keep short
  time.timeZone = "UTC";
}
