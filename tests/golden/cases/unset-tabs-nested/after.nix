{ ... }:
{
	networking = {
		hostName = "fern";
	};
}
