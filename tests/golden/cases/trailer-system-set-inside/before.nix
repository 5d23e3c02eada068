{ config, pkgs, ... }:
{
  networking.hostName = "cedar";

  system = {
    copySystemConfiguration = true;
    # Did you read the comment?
    stateVersion = "24.05";
  };
}
