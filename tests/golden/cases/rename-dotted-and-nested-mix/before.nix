{ ... }:
{
  users.users.alice.isNormalUser = true;
  users.users.alice.extraGroups = [ "wheel" ];
  users.users.alicia.isNormalUser = true;
  users.users.alice.openssh.authorizedKeys.keys = [ ];
}
