{ ... }:
{
  users.users.bob.isNormalUser = true;
  users.users.bob.extraGroups = [ "wheel" ];
  users.users.alicia.isNormalUser = true;
  users.users.bob.openssh.authorizedKeys.keys = [ ];
}
