{ ... }:
{
  services = {
    printing.enable = true;
  };
}
