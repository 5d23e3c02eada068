{ pkgs, ... }:
{
  users = {
    mutableUsers = false;
    users = {
      bob = {
        isNormalUser = true;
        shell = pkgs.fish;
      };
      carol.isNormalUser = true;
    };
  };
}
