"""The ingest pipeline: discover, identify, fingerprint, read metadata, store, register."""
