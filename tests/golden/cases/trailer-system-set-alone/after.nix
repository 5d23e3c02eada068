{ config, pkgs, ... }:
{
  networking.hostName = "cedar";

  system = {
    autoUpgrade.enable = true;

    # This value determines the release the state was created with.
    stateVersion = "24.05";
  };
}
