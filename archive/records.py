"""Plain records that cross from the ingest pipeline into the archive's services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reading:
    """The text of one page as read by a machine (OCR or a PDF's text layer)."""

    text: str
    words: list[list[Any]]  # [text, x, y, w, h, conf]
    confidence: float | None
    width: int
    height: int
    rotation: int
    source: str  # ocr | pdf-text
    ocr_languages: str | None
    engine: str
    language: str | None
    hocr_path: str | None


@dataclass(frozen=True)
class PageResult:
    """What OCR made of one page: a reading, or the reason it failed; neither when not asked."""

    reading: Reading | None = None
    error: str | None = None


@dataclass(frozen=True)
class NewFile:
    """One file of a new item, as stored."""

    sha256: str
    size: int
    media_type: str
    original_path: str  # NFC
    stored_path: str  # relative to the archive home
    frames: tuple[tuple[int, int], ...]
    source_path: str  # absolute, NFC: where it was seen, for skipping it next time
    mtime_ns: int
    pages: tuple[PageResult, ...] = ()  # one per frame, when OCR was asked for
    source_bytes: bytes | None = None  # the same path as the file system gives it

    @property
    def source_key(self) -> bytes:
        """What the source is known by: its path's bytes (source_path's UTF-8 when not given)."""
        return self.source_path.encode("utf-8") if self.source_bytes is None else self.source_bytes


@dataclass
class NewItem:
    content_hash: str
    type: str
    files: list[NewFile]
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    date: str | None = None
    creator: str | None = None
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    subjects: list[str] = field(default_factory=list)
    rights: str = ""
    rights_note: str | None = None
    access: str = "public"
    languages: list[str] = field(default_factory=list)
    technical: dict[str, Any] = field(default_factory=dict)
    collection: str | None = None  # slug path: fonds/series/file


@dataclass(slots=True)
class Entry:
    """What an ingest run did with one input: a line of its report and an event of its journal.
    A field left None (or warnings left empty) is not in the report."""

    input: str  # the input's name
    # created | duplicate | unchanged | updated | skipped | failed; would-create and would-update
    # on a dry run
    outcome: str = ""
    type: str | None = None  # photo | document, once read
    item: str | None = None  # the accession id of the item made, or found unchanged
    duplicate_of: str | None = None  # the item (or, on a dry run, the input) it is a copy of
    step: str | None = None  # where it failed or was passed over, and why
    reason: str | None = None
    row: int | None = None  # the metadata.csv row that named it
    described_by: str | None = None  # the sidecar that gave its description ("F.csv row 3")
    title: dict[str, str] | None = None  # what a dry run would make of it
    access: str | None = None
    changes: list[dict[str, Any]] | None = None  # {field, old, new}: applied to its item
    differs: list[dict[str, Any]] | None = None  # likewise, found and not applied
    warnings: list[str] = field(default_factory=list)
    item_pk: int | None = None  # the journal's reference to the item; not in the report
    new: NewItem | None = None  # the item to register, while the batch is written

    def as_json(self) -> dict[str, Any]:
        """The entry as the report file gives it."""
        found = {name: getattr(self, name) for name in _REPORTED}
        return {key: value for key, value in found.items() if value is not None and value != []}


_REPORTED = tuple(name for name in Entry.__dataclass_fields__ if name not in ("item_pk", "new"))
