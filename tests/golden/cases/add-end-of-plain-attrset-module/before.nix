{
  networking.hostName = "bare";
  time.timeZone = "UTC";
}
