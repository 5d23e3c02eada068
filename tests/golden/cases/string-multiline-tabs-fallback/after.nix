{ ... }:
{
	environment.etc."motd".text = "one\ntwo\n";
}
