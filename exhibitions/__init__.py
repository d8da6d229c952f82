"""Exhibition definitions (YAML), their validation, and their IIIF Presentation 3.0 manifests."""
