"""The per-file work of an ingest, as a chain of small steps. Each step takes one file's record and
fills in what it found; none touches the database. Workers run `prepare` on one unit at a time and
hand the result back to the main process, which alone registers it.

Later steps (OCR, tagging, derivatives) join the chain in STEPS.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive.errors import IngestError, Unsupported
from archive.fixity import sha256_of
from archive.storage import MasterStore
from ingest.discover import Unit
from ingest.names import display

if TYPE_CHECKING:
    from ingest.metadata import Embedded


@dataclass(frozen=True)
class Context:
    """What every step may need to know, the same for the whole run (it crosses to workers)."""

    max_pixels: int
    max_pages: int
    store_root: Path | None  # None on a dry run: nothing is written


@dataclass
class FileRecord:
    path: Path
    name: str
    size: int = 0
    mtime_ns: int = 0
    media_type: str = ""
    frames: tuple[tuple[int, int], ...] = ()
    mode: str = ""
    sha256: str = ""
    embedded: Embedded | None = None
    stored_path: str | None = None


@dataclass
class Prepared:
    """A unit after the steps: its files' records, or the step that failed and why."""

    unit: Unit
    files: list[FileRecord] = field(default_factory=list)
    failed_step: str | None = None
    reason: str | None = None
    skipped: bool = False  # the step found it is not for ingest: reported, not failed

    @property
    def content_hash(self) -> str:
        if not self.unit.compound:
            return self.files[0].sha256
        joined = "\n".join(f.sha256 for f in self.files).encode()
        return hashlib.sha256(joined).hexdigest()

    @property
    def warnings(self) -> list[str]:
        return [w for f in self.files if f.embedded for w in f.embedded.warnings]


def stat_step(record: FileRecord, _context: Context) -> None:
    try:
        info = os.stat(record.path)
    except OSError as exc:
        raise IngestError(record.name, "read", f"cannot read: {exc.strerror}")
    record.size, record.mtime_ns = info.st_size, info.st_mtime_ns


# The image and PDF libraries are imported by the steps that use them, in the workers: the main
# process, which only registers results, and a run with nothing new to read start without them.


def identify_step(record: FileRecord, context: Context) -> None:
    from ingest.identify import identify

    found = identify(record.path, context.max_pixels, context.max_pages)
    record.media_type, record.frames, record.mode = found.media_type, found.frames, found.mode


def fingerprint_step(record: FileRecord, _context: Context) -> None:
    try:
        record.sha256 = sha256_of(record.path)
    except OSError as exc:
        raise IngestError(record.name, "fingerprint", f"cannot read: {exc.strerror}")


def metadata_step(record: FileRecord, _context: Context) -> None:
    from ingest.metadata import read_embedded

    record.embedded = read_embedded(record.path, record.media_type)


def store_step(record: FileRecord, context: Context) -> None:
    if context.store_root is None:
        return
    try:
        record.stored_path = MasterStore(context.store_root).put(
            record.path, record.sha256, record.media_type
        )
    except OSError as exc:
        raise IngestError(record.name, "store", f"cannot store the master: {exc.strerror or exc}")


Step = Callable[[FileRecord, Context], None]
STEPS: tuple[tuple[str, Step], ...] = (
    ("read", stat_step),
    ("identify", identify_step),
    ("fingerprint", fingerprint_step),
    ("metadata", metadata_step),
    ("store", store_step),
)


def prepare(unit: Unit, context: Context) -> Prepared:
    """Run every step over every file of the unit; stop at the first failure."""
    prepared = Prepared(unit)
    if unit.sidecar_error:
        prepared.failed_step, prepared.reason = "sidecar", unit.sidecar_error
        return prepared
    for path in unit.files:
        record = FileRecord(path, display(path))
        prepared.files.append(record)
        for name, step in STEPS:
            try:
                step(record, context)
            except IngestError as exc:
                prepared.failed_step, prepared.reason = exc.step, _for_unit(unit, record, exc)
                prepared.skipped = isinstance(exc, Unsupported) and not unit.compound
                return prepared
            except Exception as exc:  # a bug or a library fault on one odd file must not end the
                # batch: it is recorded against that file, with its type, for a report to act on
                prepared.failed_step = name
                prepared.reason = _for_unit(
                    unit,
                    record,
                    IngestError(record.name, name, f"unexpected {type(exc).__name__}: {exc}"),
                )
                return prepared
    return prepared


def _for_unit(unit: Unit, record: FileRecord, error: IngestError) -> str:
    return f"{display(record.path.name)}: {error.reason}" if unit.compound else error.reason
