"""One hierarchy of errors, each with the exit code of the CLI and the HTTP status of the web."""


class ArchiveError(Exception):
    """Something the user can act on; the message says what and why."""

    exit_code = 1
    http_status = 500


class NotFound(ArchiveError):
    exit_code = 1
    http_status = 404


class InvalidInput(ArchiveError):
    exit_code = 2
    http_status = 400


class ConfigError(ArchiveError):
    exit_code = 2
    http_status = 500


class IngestError(ArchiveError):
    """One input could not be ingested: which file, at which step, and why. The batch goes on."""

    def __init__(self, path: str, step: str, reason: str):
        super().__init__(f"{path}: {step}: {reason}")
        self.path = path
        self.step = step
        self.reason = reason


class Unsupported(IngestError):
    """An input that is not for ingest (a text file, a spreadsheet): skipped, not failed."""
