"""Nix text: the parser (the only tree-sitter importer), grammar vocabulary, literals,
rendering, option paths, splices and diffs."""
