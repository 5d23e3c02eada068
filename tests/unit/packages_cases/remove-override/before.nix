{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    git
    (vim_configurable.override {
      python3 = python3;
    })
    htop
  ];
}
