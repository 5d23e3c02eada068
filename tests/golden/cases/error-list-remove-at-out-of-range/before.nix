{
  fileSystems."/".device = "/dev/sda1";
  swapDevices = [
    { device = "/dev/sda2"; }
    # the slow disk
    {
      device = "/dev/sdb2";
      priority = 1;
    }
    { device = "/swapfile"; size = 1024; }
  ];
}
