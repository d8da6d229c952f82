"""The archive's domain core: settings and the archive home, models, storage of masters, fixity,
and the services that the CLI and the web catalogue both call."""

from archive.errors import ArchiveError, ConfigError, IngestError, InvalidInput, NotFound

__all__ = ["ArchiveError", "ConfigError", "IngestError", "InvalidInput", "NotFound"]
