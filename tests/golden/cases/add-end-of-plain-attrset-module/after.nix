{
  networking.hostName = "bare";
  time.timeZone = "UTC";
  programs.fish.enable = true;
}
