{ config, pkgs, ... }:
{
}
