{ ... }:
{
  networking.hostName # between the attrpath and the equals sign
    = "larch";
}
