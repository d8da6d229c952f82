"""Embedded metadata: EXIF, IPTC and XMP in images, the document information dictionary in PDFs.

`read_embedded` never raises on a hostile or broken file: each source (EXIF through exifread,
IPTC and XMP through Pillow, the PDF /Info dictionary through pypdf) is read on its own, and a
source that fails, or a value that is garbage, becomes a human-readable warning while the other
sources are still read. When several sources give a value the order is IPTC, then XMP, then EXIF:
IPTC and XMP are what people typed, EXIF is what the camera or scanner wrote (for a scan, EXIF
DateTimeOriginal is the day of scanning, not the date of the photograph).

The helpers above `read_embedded` are pure and tested without files, as are the parsers of dates
and numbers in `ingest.embedded_values`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import pathlib
import re
import unicodedata
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import exifread
from PIL import Image, IptcImagePlugin, JpegImagePlugin, PngImagePlugin, TiffImagePlugin
from pypdf import PdfReader

from ingest.embedded_values import (
    dms_to_decimal,
    exif_date,
    iptc_date,
    orientation,
    pdf_date,
    xmp_date,
)
from ingest.jpeg import for_pillow

# exifread logs a warning for every odd maker note or field; what matters reaches us as values.
logging.getLogger("exifread").setLevel(logging.CRITICAL + 1)
# pypdf logs each repair it makes to a damaged file; one it cannot read raises, and that becomes a
# warning. (ingest.identify silences it the same way.)
logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)


@dataclass
class Embedded:
    """What one file says about itself. Strings are NFC, stripped, free of control characters."""

    title: str | None = None  # IPTC ObjectName (2:05) or XMP dc:title
    description: str | None = None  # IPTC Caption (2:120), XMP dc:description, EXIF Description
    creator: str | None = None  # IPTC By-line (2:80), XMP dc:creator, or EXIF Artist
    date: str | None = None  # EDTF: "2008-05-30", "2008-05" or "2008"
    date_taken: str | None = None  # "2008-05-30T15:56:01" when the time is known (local, no offset)
    make: str | None = None
    model: str | None = None
    copyright: str | None = None  # EXIF Copyright / XMP dc:rights / IPTC CopyrightNotice
    orientation: int | None = None  # EXIF Orientation 1..8, None when absent or out of range
    latitude: float | None = None  # decimal degrees, signed by hemisphere ref
    longitude: float | None = None
    keywords: list[str] = field(default_factory=list)  # IPTC Keywords (2:25), XMP dc:subject
    warnings: list[str] = field(default_factory=list)  # human-readable, one per problem


# ---------------------------------------------------------------------------------------------
# Text

# Values cameras write when nobody typed anything. Compared case-insensitively after cleaning;
# a description or copyright that only repeats the camera's make or model is dropped as well
# (see `is_placeholder`), which covers "KODAK DC240 ZOOM DIGITAL CAMERA", "WWL" and the like.
PLACEHOLDERS = frozenset(
    {
        "olympus digital camera",
        "sanyo digital camera",
        "konica minolta digital camera",
        "digital camera",
        "sony dsc",
        "dcim",
    }
)

_LINE_BREAKS = re.compile(r"\r\n?")


def decode(raw: bytes) -> str:
    """Bytes from a metadata field: UTF-8 when they are valid UTF-8, else Latin-1 (never fails)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def clean_text(value: object) -> str | None:
    """A metadata string made tidy: decoded, NFC, without control characters (newlines and tabs
    are kept), stripped; None when nothing is left or the value is not text at all."""
    if isinstance(value, bytes | bytearray):
        value = decode(bytes(value))
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFC", _LINE_BREAKS.sub("\n", value))
    text = "".join(
        ch for ch in text if ch in "\n\t" or (unicodedata.category(ch) != "Cc" and ch != "\ufeff")
    )
    return text.strip() or None


# What programs write as a PDF's /Title when nobody typed one: their own names, and names of
# new, unsaved documents. Matched whole, case-insensitively.
PDF_PLACEHOLDER_TITLE = re.compile(
    r"(adobe )?photoshop pdf|untitled([ -]\d+)?|untitled document|document ?\d*|"
    r"microsoft (office )?(word|excel|powerpoint)( document| presentation)?|"
    r"powerpoint presentation|presentation ?\d*|book ?\d*|slide ?\d+",
    re.IGNORECASE,
)
# "Microsoft Word - Báo cáo.doc": Office's PDF printers, and Acrobat's add-in, write the
# program's name before the name of the document printed.
_PROGRAM_PREFIX = re.compile(
    r"(?:microsoft (?:office )?)?(?:word|excel|powerpoint|publisher|visio) - (.+)", re.IGNORECASE
)
_DOCUMENT_EXTENSION = re.compile(
    r"\.(?:docx?|docm|dotx?|xlsx?|xlsm|pptx?|rtf|odt|ods|odp|pub|vsdx?|txt)$", re.IGNORECASE
)


def pdf_title(title: str | None, *programs: str | None) -> str | None:
    """A PDF's /Title as a title: None when it only names a program (one of `programs`, the
    file's /Creator and /Producer, or a known one) or a new document ("Untitled-1"). After
    an Office program's name ("Microsoft Word - Báo cáo.doc"), the document's name is kept
    without its extension ("Báo cáo")."""
    if not title:
        return None
    if match := _PROGRAM_PREFIX.fullmatch(title):
        title = _DOCUMENT_EXTENSION.sub("", match[1]).strip()
    names = {program.casefold() for program in programs if program}
    if not title or PDF_PLACEHOLDER_TITLE.fullmatch(title) or title.casefold() in names:
        return None
    return title


def is_placeholder(text: str, *camera: str | None) -> bool:
    """True for text a camera fills in by itself: a known placeholder or its own make/model."""
    folded = text.casefold()
    if folded in PLACEHOLDERS:
        return True
    names = [c.casefold() for c in camera if c]
    return folded in names or folded == " ".join(names)


def drop_placeholders(found: Embedded, make: str | None, model: str | None) -> None:
    """Clear the descriptive fields that only hold what the camera wrote by itself. Applied to
    every source: editors copy EXIF ImageDescription into IPTC and XMP when they save."""
    for name in ("title", "description", "creator", "copyright"):
        text = getattr(found, name)
        if text and is_placeholder(text, make, model):
            setattr(found, name, None)


def unique(values: Iterable[str | None]) -> list[str]:
    """The non-empty values, in order, each once."""
    return list(dict.fromkeys(v for v in values if v))


# ---------------------------------------------------------------------------------------------
# XMP

_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "tiff": "http://ns.adobe.com/tiff/1.0/",
}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XMP_PROPERTIES = {
    "title": ("dc", "title"),
    "description": ("dc", "description"),
    "creator": ("dc", "creator"),
    "rights": ("dc", "rights"),
    "subject": ("dc", "subject"),
    "date": ("photoshop", "DateCreated"),
    "orientation": ("tiff", "Orientation"),
}


def _rdf(name: str) -> str:
    return f"{{{_NS['rdf']}}}{name}"


def _xmp_values(element: ET.Element) -> list[str]:
    """The values of one property element: an rdf:Alt gives its x-default (else first) entry, an
    rdf:Seq or rdf:Bag all entries, a simple property its text."""
    for container in element:
        items = container.findall(_rdf("li"))
        if container.tag == _rdf("Alt") and items:
            default = [li for li in items if li.get(_XML_LANG) == "x-default"]
            items = default[:1] or items[:1]
        if container.tag in (_rdf("Alt"), _rdf("Seq"), _rdf("Bag")):
            return unique(clean_text(li.text) for li in items)
    return unique([clean_text(element.text)])


def parse_xmp(packet: bytes) -> dict[str, list[str]]:
    """The properties this module uses from a raw XMP packet, as lists of cleaned strings:
    title, description, creator, rights, subject, date, orientation. Raises ValueError when the
    packet is not XML or declares a DTD (XMP never does; refusing it rules out entity bombs)."""
    packet = packet.strip(b"\x00 \t\r\n")
    if b"<!DOCTYPE" in packet or b"<!ENTITY" in packet:
        raise ValueError("declares a DTD")
    try:
        root = ET.fromstring(packet)
    except ET.ParseError as error:
        raise ValueError(f"is not XML ({error})") from None
    found: dict[str, list[str]] = {}
    for description in root.iter(_rdf("Description")):
        for key, (prefix, name) in _XMP_PROPERTIES.items():
            qualified = f"{{{_NS[prefix]}}}{name}"
            element = description.find(qualified)
            values = (
                _xmp_values(element)
                if element is not None
                else unique([clean_text(description.get(qualified))])
            )
            if values and key not in found:
                found[key] = values
    return found


# ---------------------------------------------------------------------------------------------
# Putting sources together


def merge(sources: Sequence[Embedded]) -> Embedded:
    """One record from several, the first source that has a value winning, field by field.
    The time of day is taken only from a source whose date agrees with the chosen date."""
    merged = Embedded()
    for f in dataclasses.fields(Embedded):
        if f.name not in ("keywords", "warnings", "date_taken"):
            values = (getattr(s, f.name) for s in sources)
            setattr(merged, f.name, next((v for v in values if v is not None), None))
    merged.keywords = next((list(s.keywords) for s in sources if s.keywords), [])
    merged.date_taken = next(
        (
            s.date_taken
            for s in sources
            if merged.date and s.date_taken and s.date_taken.startswith(merged.date)
        ),
        None,
    )
    merged.warnings = [w for s in sources for w in s.warnings]
    return merged


def _checked(found: Embedded, label: str, raw: object, parse: Callable[[], Any]) -> Any:
    """`parse()`, or None with a warning on `found` when the value is garbage."""
    try:
        return parse()
    except (ValueError, TypeError, ArithmeticError) as error:
        shown = raw if isinstance(raw, str) else str(raw)
        found.warnings.append(f"{label} {shown!r} {error}; ignored")
        return None


def _first_date(found: Embedded, candidates: Iterable[tuple[str, Any, Callable[[], Any]]]) -> None:
    """Set found.date/date_taken from the first candidate that parses; warn for garbage ones."""
    for label, raw, parse in candidates:
        result = _checked(found, label, raw, parse)
        if result and result[0]:
            found.date, found.date_taken = result
            return


# ---------------------------------------------------------------------------------------------
# EXIF (exifread)

_EXIF_DATE_TAGS = (
    "EXIF DateTimeOriginal",
    "Image DateTimeOriginal",
    "EXIF DateTimeDigitized",
    "Image DateTime",
)


def _tag_text(tags: dict[str, Any], name: str) -> str | None:
    tag = tags.get(name)
    values = getattr(tag, "values", None)
    if isinstance(values, list) and all(isinstance(v, int) and 0 <= v < 256 for v in values):
        values = bytes(values)  # text stored as BYTE or UNDEFINED instead of ASCII
    return clean_text(values)


def _exif_gps(tags: dict[str, Any], found: Embedded) -> None:
    for axis, name in (("latitude", "GPSLatitude"), ("longitude", "GPSLongitude")):
        tag = tags.get(f"GPS {name}")
        if tag is None:
            continue
        values = tag.values if isinstance(tag.values, list) else [tag.values]
        ref = _tag_text(tags, f"GPS {name}Ref")
        value = _checked(
            found,
            f"EXIF {name}",
            tag.printable,
            lambda v=values, r=ref, a=axis: dms_to_decimal(v, r, a),
        )
        setattr(found, axis, value)
    if (found.latitude is None) != (found.longitude is None):
        found.latitude = found.longitude = None  # half a position is no position


def _exif_fields(tags: dict[str, Any]) -> Embedded:
    found = Embedded(
        make=_tag_text(tags, "Image Make"),
        model=_tag_text(tags, "Image Model"),
        description=_tag_text(tags, "Image ImageDescription"),
        creator=_tag_text(tags, "Image Artist"),
        copyright=_tag_text(tags, "Image Copyright"),
    )
    if (tag := tags.get("Image Orientation")) is not None:
        found.orientation = _checked(
            found, "EXIF Orientation", tag.printable, lambda: orientation(tag.values)
        )
    _first_date(
        found,
        (
            (f"EXIF {name.split()[1]}", text, lambda t=text: exif_date(t))
            for name in _EXIF_DATE_TAGS
            if (text := _tag_text(tags, name)) is not None
        ),
    )
    _exif_gps(tags, found)
    return found


def _exifread(file: BinaryIO) -> tuple[dict[str, Any], list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tags = exifread.process_file(file, details=False, extract_thumbnail=False)
    return tags, [f"EXIF: exifread warned: {w.message}" for w in caught]


def _read_exif(path: pathlib.Path, block: bytes | None) -> Embedded:
    """EXIF from the file; when exifread finds none there, from the Exif block Pillow found:
    exifread 3.5 stops at an XMP APP1 segment that comes before the Exif one."""
    with path.open("rb") as file:
        tags, notes = _exifread(file)
    if not tags and block and block.startswith(b"Exif\x00\x00"):
        tags, notes = _exifread(io.BytesIO(block[6:]))
    found = _exif_fields(tags)
    found.warnings[:0] = notes
    return found


# ---------------------------------------------------------------------------------------------
# IPTC and XMP (Pillow). The plugin classes are used directly, not Image.open: they read the
# headers only, and skip the decompression-bomb check, which is about decoding pixels we never
# decode, so a huge scan still gives its metadata.

_PILLOW_PLUGINS: dict[str, Callable[..., Image.Image]] = {
    "image/jpeg": JpegImagePlugin.JpegImageFile,
    "image/png": PngImagePlugin.PngImageFile,
    "image/tiff": TiffImagePlugin.TiffImageFile,
}
_XMP_TIFF_TAG = 700


def _iptc_texts(iptc: dict[tuple[int, int], Any], dataset: int) -> list[str]:
    """The cleaned values of one IPTC IIM dataset (record 2); repeatable ones give several."""
    value = iptc.get((2, dataset))
    values = value if isinstance(value, list) else [value]
    return unique(clean_text(v) for v in values)


def _iptc_fields(iptc: dict[tuple[int, int], Any]) -> Embedded:
    texts = {
        name: _iptc_texts(iptc, number)
        for name, number in (
            ("title", 5),
            ("description", 120),
            ("creator", 80),
            ("copyright", 116),
            ("keywords", 25),
            ("date", 55),
            ("time", 60),
        )
    }
    found = Embedded(keywords=texts.pop("keywords"))
    for name in ("title", "description", "creator", "copyright"):
        setattr(found, name, "; ".join(texts[name]) or None)
    date, time = (texts["date"] or [None])[0], (texts["time"] or [None])[0]
    if date:
        shown = f"{date} {time}" if time else date
        _first_date(found, [("IPTC DateCreated", shown, lambda: iptc_date(date, time))])
    return found


def _xmp_fields(packet: bytes) -> Embedded:
    found = Embedded()
    props = _checked(found, "XMP packet", f"{len(packet)} bytes", lambda: parse_xmp(packet))
    if not props:
        return found
    joined = {key: "; ".join(values) for key, values in props.items()}
    found.title, found.description = joined.get("title"), joined.get("description")
    found.creator, found.copyright = joined.get("creator"), joined.get("rights")
    found.keywords = props.get("subject", [])
    if date := props.get("date", [None])[0]:
        _first_date(found, [("XMP photoshop:DateCreated", date, lambda: xmp_date(date))])
    if turn := props.get("orientation", [None])[0]:
        found.orientation = _checked(found, "XMP tiff:Orientation", turn, lambda: orientation(turn))
    return found


def _xmp_packet(im: Image.Image) -> bytes | None:
    packet = im.info.get("xmp")
    if packet is None and isinstance(im, TiffImagePlugin.TiffImageFile):
        packet = im.tag_v2.get(_XMP_TIFF_TAG)
    if isinstance(packet, tuple | list) and len(packet) == 1:
        packet = packet[0]
    if isinstance(packet, str):
        packet = packet.encode("utf-8")
    return packet if isinstance(packet, bytes) and packet else None


def _read_pillow(path: pathlib.Path, media_type: str) -> tuple[Embedded, Embedded, bytes | None]:
    """IPTC and XMP, and the raw Exif block for `_read_exif`."""
    source, left_out = for_pillow(path) if media_type == "image/jpeg" else (path, 0)
    with _opened(source) as file, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _PILLOW_PLUGINS[media_type](file) as im:
            iptc = IptcImagePlugin.getiptcinfo(im) or {}
            packet = _xmp_packet(im)
            block = im.info.get("exif")
    iptc_found = _iptc_fields(iptc)
    iptc_found.warnings[:0] = [f"IPTC/XMP: Pillow warned: {w.message}" for w in caught]
    if left_out:
        iptc_found.warnings.insert(
            0,
            f"EXIF: {left_out:,} more Exif segments after the first were not read "
            "(Exif is one segment)",
        )
    xmp_found = _xmp_fields(packet) if packet else Embedded()
    return iptc_found, xmp_found, block if isinstance(block, bytes) else None


def _opened(source: pathlib.Path | BinaryIO) -> contextlib.AbstractContextManager[BinaryIO]:
    return source.open("rb") if isinstance(source, pathlib.Path) else contextlib.nullcontext(source)


# ---------------------------------------------------------------------------------------------
# PDF (pypdf)


def _pdf_value(info: Any, key: str) -> Any:
    value = info.get(key)
    return value.get_object() if hasattr(value, "get_object") else value


def _read_pdf(path: pathlib.Path) -> Embedded:
    # An open file, not the path: given a path, pypdf reads the whole file into memory.
    with path.open("rb") as file, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            return Embedded()  # refused by another step; nothing to read without the password
        info = reader.metadata or {}
        text = {
            key: clean_text(_pdf_value(info, f"/{key}"))
            for key in (
                "Title",
                "Author",
                "Subject",
                "Keywords",
                "CreationDate",
                "Creator",
                "Producer",
            )
        }
    keywords = re.split(r"[,;]", text["Keywords"] or "")
    found = Embedded(
        title=pdf_title(text["Title"], text["Creator"], text["Producer"]),
        creator=text["Author"],
        description=text["Subject"],
        keywords=unique(clean_text(k) for k in keywords),
    )
    found.warnings = [f"PDF: pypdf warned: {w.message}" for w in caught]
    if created := text["CreationDate"]:
        _first_date(found, [("PDF CreationDate", created, lambda: pdf_date(created))])
    return found


# ---------------------------------------------------------------------------------------------
# The step


def _guarded(source: str, read: Callable[[], Any], fallback: Any, notes: list[str]) -> Any:
    """`read()`, or `fallback` with a warning naming the source and the error."""
    try:
        return read()
    # Third-party parsers on hostile data raise anything at all (struct.error, KeyError,
    # UnicodeDecodeError, RecursionError, MemoryError...); one broken source must not stop the
    # others, nor the batch.
    except Exception as error:
        notes.append(f"{source} could not be read: {type(error).__name__}: {error}")
        return fallback


def _read_image(path: pathlib.Path, media_type: str, notes: list[str]) -> Embedded:
    nothing = (Embedded(), Embedded(), None)
    iptc, xmp, block = _guarded("IPTC/XMP", lambda: _read_pillow(path, media_type), nothing, notes)
    exif = _guarded("EXIF", lambda: _read_exif(path, block), Embedded(), notes)
    for source in (iptc, xmp, exif):
        drop_placeholders(source, exif.make, exif.model)
    found = merge([iptc, xmp, exif])
    # Orientation is how viewers and our derivatives turn the pixels: EXIF first, as Pillow's
    # exif_transpose does, XMP tiff:Orientation only for files without it (PNG mostly).
    found.orientation = exif.orientation if exif.orientation is not None else xmp.orientation
    return found


def read_embedded(path: pathlib.Path, media_type: str) -> Embedded:
    """The descriptive and technical metadata embedded in one file. Never raises: problems are
    listed in `warnings`."""
    path = pathlib.Path(path)
    notes: list[str] = []
    if media_type == "application/pdf":
        found = _guarded("PDF information dictionary", lambda: _read_pdf(path), Embedded(), notes)
    elif media_type in _PILLOW_PLUGINS:
        found = _read_image(path, media_type, notes)
    else:
        return Embedded(warnings=[f"no embedded metadata is read from {media_type} files"])
    found.warnings[:0] = notes
    return found
