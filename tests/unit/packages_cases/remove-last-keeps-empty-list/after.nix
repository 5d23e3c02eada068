{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [ ];
  # more below
  services.openssh.enable = true;
}
