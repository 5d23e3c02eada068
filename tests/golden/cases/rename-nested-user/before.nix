{ pkgs, ... }:
{
  users = {
    mutableUsers = false;
    users = {
      alice = {
        isNormalUser = true;
        shell = pkgs.fish;
      };
      carol.isNormalUser = true;
    };
  };
}
