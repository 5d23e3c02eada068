{ ... }:
{
	environment.etc."motd".text = "hello";
}
