{ ... }:
{
  networking.hostName = "x";
  programs.bash.interactiveShellInit = ''
    export EDITOR=vim
    set -o vi
  '';
}
