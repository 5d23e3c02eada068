{ pkgs, ... }:
{
  environment.systemPackages = [
    pkgs.git
    (pkgs.python3.withPackages (ps: with ps; [ requests numpy ]))
  ];
}
