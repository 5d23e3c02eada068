{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    git
  ];
  users.users.alice = {
    isNormalUser = true;
    packages = with pkgs; [ firefox ];
  };
}
