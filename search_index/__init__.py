"""The full-text index (Whoosh) behind the archive's search service."""
