{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    vim
    git # version control
    tmux
  ];
}
