{ ... }:
{
  users.users.alice.isNormalUser = true;
  users.users.alice.description = "Alice Smith";
}
