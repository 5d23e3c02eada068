{ ... }:
{
  services.openssh.settings = {
    PermitRootLogin = "no";
  };
  users.users.root.hashedPassword = "!";
}
