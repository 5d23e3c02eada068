{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [ git ];
  # more below
  services.openssh.enable = true;
}
