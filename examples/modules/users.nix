# People who can log in.
{ pkgs, ... }:

{
  users.users.alice = {
    isNormalUser = true;
    description = "Alice Example";
    extraGroups = [ "wheel" "networkmanager" ];
    shell = pkgs.zsh;
  };

  users.users.guest = {
    isNormalUser = true;
    description = "Guest account";
  };

  security.sudo.wheelNeedsPassword = false;
  programs.zsh.enable = true;
}
