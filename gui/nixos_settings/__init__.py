"""NixOS Settings: configure NixOS visually while keeping the Nix files byte-exact."""

__version__ = "0.1.0"
