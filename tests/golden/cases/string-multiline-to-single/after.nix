{ ... }:
{
  environment.etc."issue".text = "Welcome";
}
