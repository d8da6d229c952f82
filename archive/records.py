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
