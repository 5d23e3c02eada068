"""Option metadata: the model, types, sources and cache, descriptions, search, the tree
joined with the configuration, suggestions and value checks."""
