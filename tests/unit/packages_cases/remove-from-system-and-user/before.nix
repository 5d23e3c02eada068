{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    git
    htop
  ];
  users.users.alice = {
    isNormalUser = true;
    packages = with pkgs; [ htop firefox ];
  };
}
