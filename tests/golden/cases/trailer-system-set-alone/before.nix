{ config, pkgs, ... }:
{
  networking.hostName = "cedar";

  system = {
    # This value determines the release the state was created with.
    stateVersion = "24.05";
  };
}
