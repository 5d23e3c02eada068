"""The running system: nixos-rebuild planning and output, generations."""
