{ ... }:
{
	networking.interfaces.eth0.ipv4.addresses = [
		{
			address = "192.168.1.2";
			prefixLength = 24;
		} # the main address
	];
}
