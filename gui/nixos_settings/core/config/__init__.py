"""The configuration model: documents, their definitions, imports and flake hosts."""
