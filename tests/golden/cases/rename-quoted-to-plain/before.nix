{ ... }:
{
  users.users."alice.smith".isNormalUser = true;
  users.users."alice.smith".description = "Alice Smith";
}
