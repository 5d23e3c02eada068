"""The Qt-free core: syntax, documents, option paths, edits, rendering, metadata, search.

Nothing in this package imports PySide6; only :mod:`nixos_settings.core.syntax` imports
tree-sitter.
"""
