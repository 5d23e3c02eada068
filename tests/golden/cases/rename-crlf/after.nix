{ ... }:
{
  users.users = {
    bob = {
      isNormalUser = true;
    };
  };
}
