{ ... }:
{
  users.users.alice.isNormalUser = false;
}
