{ pkgs, ... }:
{
  users.users.alice = {
    isNormalUser = true;
  };
}
