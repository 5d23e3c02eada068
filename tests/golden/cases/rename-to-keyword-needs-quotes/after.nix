{ ... }:
{
  users.users."let".isNormalUser = true;
}
