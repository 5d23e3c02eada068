{ ... }:
{
  users.users.alice.isNormalUser = true;
  users.users.bob.isNormalUser = true;
}
