"""Know a file by its content, not its name: its media type, its pages and their pixel sizes, and
whether it decodes at all. Oversized images are refused from their header, before any decoding."""

from __future__ import annotations

import logging
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from archive.errors import IngestError, Unsupported
from ingest.jpeg import for_pillow
from ingest.pdf import PageSizeError, check_size, page_sizes
from ingest.readings import OcrError

SUPPORTED_EXTENSIONS = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".png": "image/png",
    ".pdf": "application/pdf",
}
PDF_DPI = 300  # PDF pages are rendered (and their sizes given) at this resolution
logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its complaints become our reasons


@dataclass(frozen=True)
class Identified:
    media_type: str
    frames: tuple[tuple[int, int], ...]  # (width, height) of each page; PDF pages at PDF_DPI
    mode: str  # the first page's Pillow mode ("1", "L", "RGB", ...); "" for PDF


def sniff(head: bytes) -> str | None:
    """The media type the first bytes of a file announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "image/tiff"
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    return None


def identify(path: Path, max_pixels: int, max_pages: int) -> Identified:
    """What the file is; IngestError with the reason when it is not a sound image or PDF."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise IngestError(str(path), "read", f"cannot read: {exc.strerror}")
    if not head:
        raise IngestError(str(path), "identify", "empty file (0 bytes)")
    media_type = sniff(head)
    claimed = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if media_type is None and claimed:
        reason = f"named {path.suffix} but its content is not {claimed}"
        raise IngestError(str(path), "identify", reason)
    if media_type is None:
        raise Unsupported(str(path), "identify", "not a JPEG, TIFF, PNG or PDF file")
    if media_type == "application/pdf":
        return _pdf(path, max_pixels, max_pages)
    return _image(path, media_type, max_pixels, max_pages)


def _image(path: Path, media_type: str, max_pixels: int, max_pages: int) -> Identified:
    if media_type == "image/tiff":
        _check_page_chain(path, max_pages)
    # Pillow's own guard, set to the archive's limit: it refuses from the header, before decoding.
    Image.MAX_IMAGE_PIXELS = max_pixels
    frames: list[tuple[int, int]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = for_pillow(path)[0] if media_type == "image/jpeg" else path
            with Image.open(source) as image:
                mode = image.mode
                for index in range(max_pages + 1):
                    if index:
                        try:
                            image.seek(index)
                        except EOFError:
                            break
                    if index == max_pages:
                        raise IngestError(
                            str(path),
                            "identify",
                            f"more than {max_pages} pages (or a page chain that loops)",
                        )
                    _check_size(path, image.size, max_pixels, index)
                    frames.append(image.size)
                    if media_type == "image/jpeg":
                        _check_jpeg(path)
                    else:
                        image.load()  # every byte decoded: a damaged page is caught now
    except IngestError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise IngestError(
            str(path),
            "identify",
            f"more than the limit of {max_pixels:,} pixels; refused before decoding",
        )
    except UnidentifiedImageError:
        raise IngestError(str(path), "identify", f"a damaged {media_type} file: cannot be read")
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise IngestError(str(path), "identify", f"a damaged {media_type} file: {exc}")
    return Identified(media_type, tuple(frames), mode)


def _check_page_chain(path: Path, max_pages: int) -> None:
    """Follow a TIFF's chain of pages (IFDs) by their offsets: Pillow stops quietly at a loop,
    which would hide pages from the archivist."""
    with open(path, "rb") as handle:
        head = handle.read(16)
        order = "<" if head[:2] == b"II" else ">"
        big = struct.unpack(order + "H", head[2:4])[0] == 43
        offset = struct.unpack(order + ("Q" if big else "I"), head[8:16] if big else head[4:8])[0]
        seen: dict[int, int] = {}
        while offset and len(seen) <= max_pages:
            if offset in seen:
                raise IngestError(
                    str(path),
                    "identify",
                    f"its page chain loops: page "
                    f"{len(seen)} points back to page {seen[offset] + 1}",
                )
            seen[offset] = len(seen)
            offset = _next_ifd(handle, offset, order, big)


def _next_ifd(handle, offset: int, order: str, big: bool) -> int:
    handle.seek(offset)
    count_size, entry_size, pointer = (8, 20, "Q") if big else (2, 12, "I")
    raw = handle.read(count_size)
    if len(raw) < count_size:
        return 0  # a chain that runs off the end: Pillow reports what it can read
    count = struct.unpack(order + ("Q" if big else "H"), raw)[0]
    handle.seek(offset + count_size + count * entry_size)
    raw = handle.read(8 if big else 4)
    return struct.unpack(order + pointer, raw)[0] if len(raw) == (8 if big else 4) else 0


def _check_size(path: Path, size: tuple[int, int], max_pixels: int, index: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise IngestError(
            str(path), "identify", f"page {index + 1} has no pixels ({width}×{height})"
        )
    if width * height > max_pixels:
        raise IngestError(
            str(path),
            "identify",
            f"page {index + 1} is {width}×{height} pixels, "
            f"more than the limit of {max_pixels:,}; refused before decoding",
        )


def _check_jpeg(path: Path) -> None:
    """A JPEG's structure, read whole: every segment within the file, every scan's data ended
    by a marker, and the end-of-image marker there: a truncated JPEG is caught now, not when a
    visitor asks for it. It refuses what decoding refused (checked on every JPEG of the
    samples, whole and cut short) at a tenth of the cost: decoding, even at 1/8 scale, took
    16 ms a photo, five times the cost of hashing and copying it."""
    problem = jpeg_problem(path.read_bytes())
    if problem:
        raise IngestError(str(path), "identify", f"a damaged image/jpeg file: {problem}")


def jpeg_problem(data: bytes) -> str | None:
    """Why the JPEG in `data` is not whole, or None when it is."""
    truncated = "truncated: the file ends before its end-of-image marker"
    at, scanned = 2, False  # after the start-of-image marker
    while True:
        if at + 2 > len(data):
            return truncated
        if data[at] != 0xFF:  # stray bytes before a marker: libjpeg skips them, so do we
            at = data.find(b"\xff", at)
            if at < 0:
                return truncated
            continue
        marker = data[at + 1]
        if marker == 0xFF:  # a fill byte
            at += 1
            continue
        if marker == 0xD9:  # end of image
            return None if scanned else "it ends before any image data"
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            at += 2
            continue
        if marker < 0xC0:  # codes no JPEG uses, among its segments
            return f"a stray marker 0x{marker:02X} among its segments (byte {at:,})"
        if at + 4 > len(data):
            return truncated
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if length < 2 or at + 2 + length > len(data):
            return truncated if length >= 2 else f"a segment of length {length} (byte {at:,})"
        at += 2 + length
        if marker == 0xDA:  # start of scan: its data runs to the next marker
            at, scanned = _scan_end(data, at), True
            if at < 0:
                return truncated


def _scan_end(data: bytes, at: int) -> int:
    """Where the entropy-coded data from `at` ends: at the next marker, or -1. In it, 0xFF is
    followed by 0x00 (a stuffed byte), a restart marker, or a fill byte; a code no JPEG uses
    is damage inside the data, which libjpeg decodes past from the next restart marker (a band
    of the picture is wrong), so it does not end the scan either."""
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            return -1
        following = data[at + 1]
        if following < 0xC0 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            at += 1 if following == 0xFF else 2
            continue
        return at


def _pdf(path: Path, max_pixels: int, max_pages: int) -> Identified:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted:
                raise IngestError(
                    str(path),
                    "identify",
                    "an encrypted (password-protected) PDF; "
                    "remove the protection and ingest it again",
                )
            count = len(reader.pages)
            if count == 0:
                raise IngestError(str(path), "identify", "a PDF with no pages")
            if count > max_pages:
                raise IngestError(str(path), "identify", f"more than {max_pages} pages")
        frames = page_sizes(path, PDF_DPI)
        for number, (width, height) in enumerate(frames, 1):
            check_size(width, height, number, PDF_DPI, max_pixels)
    except IngestError:
        raise
    except PageSizeError as exc:
        raise IngestError(str(path), "identify", str(exc))
    except OcrError as exc:
        raise IngestError(str(path), "identify", f"a damaged PDF: {exc}")
    except (
        PyPdfError,
        OSError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        RecursionError,
        IndexError,
    ) as exc:
        raise IngestError(str(path), "identify", f"a damaged PDF: {exc or type(exc).__name__}")
    return Identified("application/pdf", frames, "")
