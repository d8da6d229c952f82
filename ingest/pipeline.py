"""The per-file work of an ingest, as a chain of small steps. Each step takes one file's record and
fills in what it found; none touches the database. Workers run `prepare` on one unit at a time and
hand the result back to the main process, which alone registers it (and tags it).

After the steps, a unit is classified as a photo or a document, and its pages are read (OCR, or a
PDF's own text layer) when it is a document or when photos are to be read too. A page that cannot
be read leaves the item stored, with the page marked and the reason kept.

Photo or document, when the batch says `--type auto` and no sidecar says:
  1. a PDF, a multi-page TIFF or a folder of pages is a document;
  2. an image whose EXIF names a camera (make or model) is a photo;
  3. a bilevel (black and white) image is a document;
  4. any other TIFF or PNG is a document (what scanners write); any other JPEG is a photo.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive import derivatives
from archive.errors import IngestError, Unsupported
from archive.records import PageResult, Reading
from archive.storage import MasterStore, sha256_of, write_atomically
from ingest.discover import Unit
from ingest.names import display

if TYPE_CHECKING:
    from ingest.metadata import Embedded


@dataclass(frozen=True)
class StepContext:
    """What every step may need to know, the same for the whole run (it crosses to workers)."""

    max_pixels: int
    max_pages: int
    store_root: Path | None  # None on a dry run: nothing is written
    requested_type: str = "auto"  # auto | photo | document
    languages: str = "vie+eng"  # given to Tesseract
    read_photos: bool = False  # OCR photos too (documents always are)
    ocr_timeout: float = 120.0
    ocr_root: Path | None = None  # where hOCR files go; None: no OCR (a dry run)
    derivatives_root: Path | None = None  # where IIIF images go; None: none made (a dry run)


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
    pages: list[PageResult] = field(default_factory=list)  # one per frame, when read
    image_problems: list[str] = field(default_factory=list)  # pages whose IIIF images failed


@dataclass
class Prepared:
    """A unit after the steps: its files' records, or the step that failed and why."""

    unit: Unit
    files: list[FileRecord] = field(default_factory=list)
    failed_step: str | None = None
    reason: str | None = None
    skipped: bool = False  # the step found it is not for ingest: reported, not failed
    type: str = ""  # photo | document, once the steps have run
    notes: list[str] = field(default_factory=list)  # what the libraries said (ingest.notes)

    @property
    def content_hash(self) -> str:
        if not self.unit.compound:
            return self.files[0].sha256
        joined = "\n".join(f.sha256 for f in self.files).encode()
        return hashlib.sha256(joined).hexdigest()

    @property
    def warnings(self) -> list[str]:
        found = [w for f in self.files if f.embedded for w in f.embedded.warnings]
        found += [p for f in self.files for p in f.image_problems]
        # What a step already reported (the metadata step's Pillow warnings) is not repeated.
        return found + [n for n in self.notes if not any(_said(n, w) for w in found)]

    def add_notes(self, notes: list[str]) -> None:
        """Keep what the libraries said: among the warnings, or after the reason of a failure."""
        if self.failed_step and notes:
            self.reason = f"{self.reason} ({'; '.join(notes)})"
        else:
            self.notes = notes


def _said(note: str, warning: str) -> bool:
    return note.split(": ", 1)[-1] in warning


def stat_step(record: FileRecord, _context: StepContext) -> None:
    try:
        info = os.stat(record.path)
    except OSError as exc:
        raise IngestError(record.name, "read", f"cannot read: {exc.strerror}")
    record.size, record.mtime_ns = info.st_size, info.st_mtime_ns


# The image and PDF libraries are imported by the steps that use them, in the workers: the main
# process, which only registers results, and a run with nothing new to read start without them.


def identify_step(record: FileRecord, context: StepContext) -> None:
    from ingest.identify import identify

    found = identify(record.path, context.max_pixels, context.max_pages)
    record.media_type, record.frames, record.mode = found.media_type, found.frames, found.mode


def fingerprint_step(record: FileRecord, _context: StepContext) -> None:
    try:
        record.sha256 = sha256_of(record.path)
    except OSError as exc:
        raise IngestError(record.name, "fingerprint", f"cannot read: {exc.strerror}")


def metadata_step(record: FileRecord, _context: StepContext) -> None:
    from ingest.metadata import read_embedded

    record.embedded = read_embedded(record.path, record.media_type)


def store_step(record: FileRecord, context: StepContext) -> None:
    if context.store_root is None:
        return
    try:
        record.stored_path = MasterStore(context.store_root).put(
            record.path, record.sha256, record.media_type
        )
    except OSError as exc:
        raise IngestError(record.name, "store", f"cannot store the master: {exc.strerror or exc}")


Step = Callable[[FileRecord, StepContext], None]
STEPS: tuple[tuple[str, Step], ...] = (
    ("read", stat_step),
    ("identify", identify_step),
    ("fingerprint", fingerprint_step),
    ("metadata", metadata_step),
    ("store", store_step),
)


def prepare(unit: Unit, context: StepContext) -> Prepared:
    """Run every step over every file of the unit, stopping at the first failure; then classify
    the unit and read its pages. What the libraries say meanwhile is kept with it."""
    from ingest import notes

    prepared = Prepared(unit)
    if unit.sidecar_error:
        prepared.failed_step, prepared.reason = "sidecar", unit.sidecar_error
        return prepared
    with notes.kept() as said:
        _prepare(prepared, context)
    prepared.add_notes(said)
    return prepared


def _prepare(prepared: Prepared, context: StepContext) -> None:
    for path in prepared.unit.files:
        record = FileRecord(path, display(path))
        prepared.files.append(record)
        for name, step in STEPS:
            if not _run_step(prepared, record, name, step, context):
                return
    prepared.type = classify(prepared, context.requested_type)
    if context.ocr_root and (prepared.type == "document" or context.read_photos):
        for record in prepared.files:
            record.pages = [read(record, frame, context) for frame in range(len(record.frames))]
    if context.derivatives_root:
        for record in prepared.files:
            for frame in range(len(record.frames)):
                derive(record, frame, context)


def _run_step(prepared: Prepared, record: FileRecord, name: str, step: Step, context) -> bool:
    try:
        step(record, context)
        return True
    except IngestError as exc:
        prepared.failed_step, prepared.reason = exc.step, _for_unit(prepared.unit, record, exc)
        prepared.skipped = isinstance(exc, Unsupported) and not prepared.unit.compound
    except Exception as exc:  # a bug or a library fault on one odd file must not end the
        # batch: it is recorded against that file, with its type, for a report to act on
        error = IngestError(record.name, name, f"unexpected {type(exc).__name__}: {exc}")
        prepared.failed_step, prepared.reason = name, _for_unit(prepared.unit, record, error)
    return False


def classify(prepared: Prepared, requested: str) -> str:
    """Photo or document, by the rule in this module's docstring."""
    given = prepared.unit.description.fields.get("type") if prepared.unit.description else None
    if given or requested != "auto":
        return given or requested
    first = prepared.files[0]
    if prepared.unit.compound or first.media_type == "application/pdf" or len(first.frames) > 1:
        return "document"
    if first.embedded and (first.embedded.make or first.embedded.model):
        return "photo"
    if first.mode == "1" or first.media_type in ("image/tiff", "image/png"):
        return "document"
    return "photo"


_HOCR_IMAGE = re.compile(r'image "[^"]*"')


def read(record: FileRecord, frame: int, context: StepContext) -> PageResult:
    """OCR one page (or take a PDF page's own text); keep Tesseract's hOCR beside the masters."""
    from ingest.identify import PDF_DPI
    from ingest.ocr import read_page
    from ingest.readings import OcrError

    try:
        page = read_page(
            record.path,
            frame,
            record.media_type,
            languages=context.languages,
            timeout=context.ocr_timeout,
            dpi=PDF_DPI,
            max_pixels=context.max_pixels,
            detect=False,  # in the main process: see with_languages
        )
    except OcrError as exc:
        return PageResult(error=str(exc))
    except Exception as exc:  # as in the steps: one page's fault is that page's reason
        return PageResult(error=f"unexpected {type(exc).__name__}: {exc}")
    hocr_path = None
    if page.hocr:
        hocr_path = f"ocr/{record.sha256[:2]}/{record.sha256}/page-{frame + 1}.hocr"
        # the hOCR names the image Tesseract read (a temporary file, or the inbox): name the
        # master instead, relative to the archive home, where the file is kept
        hocr = _HOCR_IMAGE.sub(f'image "{record.stored_path}"', page.hocr, count=1)
        write_atomically(context.ocr_root.parent / hocr_path, hocr.encode("utf-8"))
    words = [[w.text, w.x, w.y, w.w, w.h, round(w.conf, 1)] for w in page.words]
    reading = Reading(
        text=page.text,
        words=words,
        confidence=page.confidence,
        width=page.width,
        height=page.height,
        rotation=page.rotation,
        source=page.source,
        ocr_languages=page.ocr_languages,
        engine=page.engine,
        language=page.language,
        hocr_path=hocr_path,
    )
    return PageResult(reading=reading)


def derive(record: FileRecord, frame: int, context: StepContext) -> None:
    """Make the page's IIIF images, upright as OCR found it. A page whose images cannot be made
    is still catalogued, with a warning; `archive derivatives` makes them again."""
    assert context.derivatives_root is not None
    home = context.derivatives_root.parent
    if derivatives.made(home, record.sha256, frame):
        return  # the same page, offered again
    result = record.pages[frame] if frame < len(record.pages) else None
    rotation = result.reading.rotation if result and result.reading else 0
    # From the master: the bytes that were hashed, under a name libvips can open (it takes
    # names as UTF-8, and a file named in another encoding lost its images).
    source = home / record.stored_path if record.stored_path else record.path
    problem = make_images(
        home, source, record.media_type, record.sha256, frame, rotation, context.max_pixels
    )
    if problem:
        record.image_problems.append(f"page {frame + 1}: no IIIF images: {problem}")


def make_images(
    home: Path,
    path: Path,
    media_type: str,
    sha256: str,
    frame: int,
    rotation: int,
    max_pixels: int,
) -> str | None:
    """Write the IIIF images (tiles, sizes, info.json) of one page; the reason when it failed
    (a page over `max_pixels` is refused before it is decoded or rendered). The stored
    info.json is published under an address chosen when it is served."""
    from ingest import tiles

    relative = derivatives.relative_path(sha256, frame)
    try:
        image = tiles.page_image(path, media_type, frame, rotation, max_pixels=max_pixels)
        tiles.write(image, home / relative, relative)
    except IngestError as exc:
        return exc.reason
    except Exception as exc:  # one page's fault is that page's, never the batch's
        return f"unexpected {type(exc).__name__}: {exc}"
    return None


def _for_unit(unit: Unit, record: FileRecord, error: IngestError) -> str:
    return f"{display(record.path.name)}: {error.reason}" if unit.compound else error.reason


def with_languages(result: PageResult) -> PageResult:
    """The result with the language of its text detected. Run in the main process, so the
    language model is loaded once per run, while the workers read, not once in every worker."""
    from ingest.language import detect_language

    if result.reading is None:
        return result
    language = detect_language(result.reading.text)
    return dataclasses.replace(
        result, reading=dataclasses.replace(result.reading, language=language)
    )
