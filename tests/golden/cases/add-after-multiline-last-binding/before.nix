{ pkgs, ... }:
{
  users.users.joana = {
    isNormalUser = true;
    packages = with pkgs; [
      firefox
    ]; # browsers
  };
}
