{ ... }:
{
  users.users."alice.smith" = {
    isNormalUser = true;
  };
}
