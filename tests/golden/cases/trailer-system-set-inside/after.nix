{ config, pkgs, ... }:
{
  networking.hostName = "cedar";

  system = {
    copySystemConfiguration = true;
    autoUpgrade.enable = true;
    # Did you read the comment?
    stateVersion = "24.05";
  };
}
