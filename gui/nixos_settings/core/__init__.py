"""The Qt-free core: syntax, documents, option paths, edits, rendering, metadata, search.

Nothing in this package imports PySide6; only :mod:`nixos_settings.core.nix.syntax` imports
tree-sitter.
"""
