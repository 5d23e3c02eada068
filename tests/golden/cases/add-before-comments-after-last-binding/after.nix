{ config, pkgs, ... }:
{
  time.timeZone = "Asia/Tokyo";
  programs.fish.enable = true;
  system.stateVersion = "24.05"; # Did you read the comment?
  # a comment after the last binding
}
# a comment after the whole expression
