{
  fileSystems."/".device = "/dev/sda1";
  swapDevices = [
    { device = "/dev/sda2"; }
    { device = "/swapfile"; size = 1024; }
  ];
}
