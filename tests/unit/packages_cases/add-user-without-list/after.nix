{ pkgs, ... }:
{
  users.users.alice = {
    isNormalUser = true;
    packages = [ pkgs.gimp ];
  };
}
