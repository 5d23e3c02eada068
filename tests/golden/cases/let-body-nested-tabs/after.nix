{ lib, ... }:
{
	networking.interfaces = let
		a = 1;
	in let
		b = 2;
	in {
		eth0.useDHCP = false;
	};
}
