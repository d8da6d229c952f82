"""Read the text of one page: Tesseract for an image or a scanned PDF page, a PDF's own text layer
when it has one. Runs in a worker process, one page at a time, with one Tesseract thread; touches
no database.

One Tesseract call per page writes both the plain text and the hOCR (words, boxes, confidences).
A page is read as it is stored first, and usually that is all. Turned pages are caught without
running orientation detection (OSD) on every page, which would cost as much as the OCR itself:

  1. OCR the page as stored (after its EXIF orientation).
  2. If most of its text lies in vertical lines, Tesseract has read a page turned a quarter
     clockwise, right but sideways: it is OCR'd again turned 270° clockwise, so that boxes and
     hOCR refer to the upright page.
  3. Else, if the mean word confidence is below `SUSPECT_CONFIDENCE` (garbage from a page turned
     the other way or upside down scores 55-65; clean pages score over 90), OSD says how the page
     is turned; if turned, it is OCR'd again, and the reading with the better confidence is kept.
"""

from __future__ import annotations

import functools
import os
import re
import time
import unicodedata
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

import pytesseract
from PIL import Image, ImageOps, UnidentifiedImageError

from ingest import pdf
from ingest.language import detect_language
from ingest.readings import OcrError, RawReading, Word

IMAGE_TYPES = ("image/jpeg", "image/png", "image/tiff")
PDF_TYPE = "application/pdf"

# Below this mean word confidence a reading is suspect: the page may be turned (see above).
SUSPECT_CONFIDENCE = 75.0
# A reading is sideways when this share of its letters lies in lines taller than wide.
VERTICAL_SHARE = 0.5
# OSD below this orientation confidence is a guess, not worth another OCR.
OSD_MIN_CONFIDENCE = 2.0

_LANGUAGES_PATTERN = re.compile(r"^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$")
_XHTML = "{http://www.w3.org/1999/xhtml}"
_LINE_CLASSES = {"ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat"}
# What Tesseract (Leptonica) reads from a file as Pillow sees it; 16-bit grey and CMYK it does not.
_READABLE_MODES = ("1", "L", "P", "RGB")
_TURN = {  # degrees clockwise -> Pillow's transpose (Pillow names counter-clockwise turns)
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


# --------------------------------------------------------------------------------------------
# Tesseract


@functools.cache
def tesseract_version() -> str:
    """Tesseract's version, e.g. "5.3.0"."""
    try:
        return str(pytesseract.get_tesseract_version())
    except pytesseract.TesseractNotFoundError:
        raise OcrError("Tesseract is not installed (no `tesseract` on the PATH)")


@functools.cache
def _installed_languages() -> frozenset[str]:
    try:
        return frozenset(pytesseract.get_languages())
    except pytesseract.TesseractNotFoundError:
        raise OcrError("Tesseract is not installed (no `tesseract` on the PATH)")


def _check_languages(languages: str) -> None:
    if not _LANGUAGES_PATTERN.match(languages):
        raise OcrError(f"{languages!r} is not a list of Tesseract languages such as 'vie+eng'")
    missing = [code for code in languages.split("+") if code not in _installed_languages()]
    if missing:
        installed = ", ".join(sorted(_installed_languages() - {"osd"}))
        raise OcrError(f"Tesseract has no data for {', '.join(missing)} (installed: {installed})")


# --------------------------------------------------------------------------------------------
# The entry point


def read_page(
    path: Path,
    frame: int,
    media_type: str,
    *,
    languages: str = "vie+eng",
    timeout: float = 120,
    dpi: int = 300,
    max_pixels: int = 250_000_000,
    detect: bool = True,
) -> RawReading:
    """The text of page `frame` (0-based) of the file at `path`.

    A PDF page with a text layer gives that text (no OCR); any other page is OCR'd with
    Tesseract in `languages`, turned upright first when it is not (see the module's docstring).
    `timeout` bounds the whole page, in seconds; `dpi` is the resolution a PDF page is rendered
    at; `max_pixels` refuses larger pages before decoding them; `detect=False` leaves the
    language to the caller (the ingest detects it in its main process, which loads the language
    model once while the workers OCR). Raises OcrError with a reason.
    """
    path = Path(path)
    deadline = _Deadline(timeout)
    if media_type == PDF_TYPE:
        page = pdf.text_layer(path, frame, dpi, detect)
        if page is not None:
            return page
        _check_languages(languages)
        image = pdf.render_page(path, frame, dpi, max_pixels)
        return _read_image(_Page(image=image, dpi=dpi), languages, deadline, detect)
    if media_type not in IMAGE_TYPES:
        raise OcrError(f"cannot read text from {media_type or 'an unknown type of file'}")
    _check_languages(languages)
    page = _open_image(path, frame, media_type, max_pixels)
    return _read_image(page, languages, deadline, detect)


# --------------------------------------------------------------------------------------------
# Opening a page image


@dataclass
class _Page:
    """A page ready for Tesseract: a file it reads as is, or a decoded upright image."""

    image: Image.Image | None = None
    file: Path | None = None  # given to Tesseract as is; then `image` waits until needed
    size: tuple[int, int] = (0, 0)
    dpi: int | None = None  # told to Tesseract for a decoded image (a file carries its own)
    decode: Callable[[], _Page] | None = None  # how to decode `file` when it must be turned

    def __post_init__(self):
        if self.image is not None:
            self.size = self.image.size

    def decoded(self) -> _Page:
        """This page as a decoded image."""
        if self.image is not None:
            return self
        assert self.decode is not None
        return self.decode()


class _TesseractFailed(Exception):
    """Tesseract ended with an error: its input did not decode, or OSD found too little text."""


def _open_image(
    path: Path, frame: int, media_type: str, max_pixels: int, *, direct: bool = True
) -> _Page:
    """The page, refused from its header when larger than `max_pixels`. A single-page file that
    Tesseract reads as Pillow does is passed to it by path: decoding it here and encoding it
    again (a 300 dpi A4 page as PNG takes 0.4 s) would only cost time."""
    limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Broken EXIF and the like are the metadata step's to report; OCR needs the
            # pixels. Pillow's own size guard is replaced by ours, which names the size.
            warnings.simplefilter("ignore")
            Image.MAX_IMAGE_PIXELS = None
            image = Image.open(_source(path, media_type))
            try:
                pages = getattr(image, "n_frames", 1)
                if not 0 <= frame < pages:
                    raise OcrError(
                        f"there is no page {frame + 1} (the file has {pages} page"
                        f"{'s' if pages != 1 else ''})"
                    )
                if frame:
                    image.seek(frame)
                width, height = image.size
                if width * height > max_pixels:
                    raise OcrError(
                        f"page {frame + 1} is {width}×{height} pixels, more than the limit of "
                        f"{max_pixels:,}; refused before decoding"
                    )
                if width <= 0 or height <= 0:
                    raise OcrError(f"page {frame + 1} has no pixels ({width}×{height})")
                if direct and _readable_as_is(image):
                    return _Page(
                        file=path,
                        size=(width, height),
                        decode=functools.partial(
                            _open_image, path, frame, media_type, max_pixels, direct=False
                        ),
                    )
                return _Page(image=_decode(image), dpi=_dpi_of(image))
            finally:
                image.close()
    except OcrError:
        raise
    except UnidentifiedImageError:
        raise OcrError(f"cannot decode the image: not a {media_type} file Pillow can read")
    except Exception as exc:  # Pillow raises many kinds on a damaged file; each is a reason
        raise OcrError(f"cannot decode the image: {_describe(exc)}")
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def _source(path: Path, media_type: str):
    """The file for Pillow: a JPEG's repeated Exif segments left out (see ingest.jpeg)."""
    if media_type != "image/jpeg":
        return path
    from ingest.jpeg import for_pillow

    return for_pillow(path)[0]


def _readable_as_is(image: Image.Image) -> bool:
    """Whether Tesseract, given the file, sees the same upright page as Pillow: one page (it
    would read them all), a mode it reads, nothing transparent, no EXIF turn."""
    if image.format not in ("JPEG", "PNG", "TIFF") or getattr(image, "n_frames", 1) != 1:
        return False
    if image.mode not in _READABLE_MODES or "transparency" in image.info:
        return False
    try:
        orientation = _orientation_tag(image)
    except Exception:  # unreadable EXIF: decode the page, and let exif_transpose decide
        return False
    return orientation in (None, 1)


def _orientation_tag(image: Image.Image) -> int | None:
    if image.format == "PNG":
        # Pillow's getexif() decodes a whole PNG in case an eXIf chunk follows the pixels
        # (0.04 s a page); the PNG specification puts eXIf before them, where open() finds it.
        raw = image.info.get("exif")
        if not raw:
            return None
        exif = Image.Exif()
        exif.load(raw)
        return exif.get(0x0112)
    return image.getexif().get(0x0112)


def _decode(image: Image.Image) -> Image.Image:
    """The page upright (EXIF orientation applied) in a mode Tesseract reads: 1, L or RGB."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        image.load()
        image = ImageOps.exif_transpose(image)
    mode = image.mode
    if "transparency" in image.info or mode in ("LA", "La", "PA", "RGBA", "RGBa"):
        # Text on a transparent background: lay it on white paper.
        paper = Image.new("RGBA", image.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, image.convert("RGBA")).convert("RGB")
    if mode in ("1", "L", "RGB"):
        return image
    if mode == "P":
        palette = image.getpalette() or []
        grey = all(
            palette[i] == palette[i + 1] == palette[i + 2] for i in range(0, len(palette), 3)
        )
        return image.convert("L" if grey else "RGB")
    if mode.startswith("I") or mode == "F":
        return _to_8_bits(image)
    return image.convert("RGB")  # CMYK, YCbCr, LAB, HSV


def _to_8_bits(image: Image.Image) -> Image.Image:
    """A 16- or 32-bit grey image stretched to 8 bits over the values it uses."""
    image = image.convert("F")
    low, high = image.getextrema()
    scale = 255 / (high - low) if high > low else 1.0
    return image.point(lambda v: (v - low) * scale).convert("L")


def _dpi_of(image: Image.Image) -> int | None:
    dpi = image.info.get("dpi")
    try:
        value = round(float(dpi[0]))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return value if 70 <= value <= 2400 else None  # what Tesseract accepts


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


# --------------------------------------------------------------------------------------------
# OCR and orientation


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise self.error()
        return left

    def error(self) -> OcrError:
        return OcrError(f"timed out after {self.seconds:g} s")


@dataclass
class _Pass:
    """What one Tesseract run made of the page, in one orientation."""

    text: str
    words: list[Word]
    hocr: str
    vertical_share: float

    @property
    def confidence(self) -> float | None:
        if not self.words:
            return None
        return sum(w.conf for w in self.words) / len(self.words)


def _read_image(page: _Page, languages: str, deadline: _Deadline, detect: bool) -> RawReading:
    try:
        try:
            reading, page, rotation = _read_upright(page, languages, deadline)
        except _TesseractFailed:
            if page.file is None:
                raise
            # Leptonica could not decode the file (a damaged JPEG Pillow still reads, say):
            # give Tesseract the page as Pillow decodes it.
            reading, page, rotation = _read_upright(page.decoded(), languages, deadline)
    except _TesseractFailed as exc:
        raise OcrError(f"Tesseract failed: {exc}")
    width, height = page.size
    return RawReading(
        text=reading.text,
        words=reading.words,
        confidence=reading.confidence,
        width=width,
        height=height,
        rotation=rotation,
        source="ocr",
        ocr_languages=languages,
        engine=f"tesseract {tesseract_version()}",
        language=detect_language(reading.text) if detect else None,
        hocr=reading.hocr,
    )


def _read_upright(page: _Page, languages: str, deadline: _Deadline) -> tuple[_Pass, _Page, int]:
    """The reading of the page the right way up, the page it refers to, and how far (degrees
    clockwise) the stored page was turned for it."""
    with TemporaryDirectory(prefix="tulieu-ocr-") as tmp:
        work = Path(tmp)
        source = _input_file(page, work)
        reading = _ocr(source, page, languages, deadline, work)
        rotation = _turn_needed(reading, source, deadline, work)
        if not rotation:
            return reading, page, 0
        decoded = page.decoded()
        assert decoded.image is not None
        turned = _Page(image=decoded.image.transpose(_TURN[rotation]), dpi=decoded.dpi)
        again = _ocr(_input_file(turned, work, "turned"), turned, languages, deadline, work)
        if reading.vertical_share > VERTICAL_SHARE or _better(again, reading):
            return again, turned, rotation
        return reading, page, 0


def _better(a: _Pass, b: _Pass) -> bool:
    return (a.confidence or 0) > (b.confidence or 0)


def _input_file(page: _Page, work: Path, name: str = "page") -> Path:
    if page.file is not None:
        return page.file
    assert page.image is not None
    # Uncompressed PNM: written and read in milliseconds, where PNG takes 0.4 s to encode.
    target = work / f"{name}.pnm"
    page.image.save(target, "PPM")
    return target


def _turn_needed(reading: _Pass, source: Path, deadline: _Deadline, work: Path) -> int:
    """Degrees clockwise the page must be turned to read it upright: 0 unless the reading
    looks wrong (see the module's docstring)."""
    if not reading.words:
        return 0  # blank, or a picture: there is nothing to turn
    confident = (reading.confidence or 0) >= SUSPECT_CONFIDENCE
    if reading.vertical_share > VERTICAL_SHARE:
        if confident:
            return 270  # Tesseract read top-to-bottom lines: the page's top is on the right
    elif confident:
        return 0
    return _orientation(source, deadline, work)


def _orientation(source: Path, deadline: _Deadline, work: Path) -> int:
    """Tesseract's orientation detection: degrees clockwise to turn the page; 0 when unsure."""
    try:
        outputs = _tesseract(source, work / "osd", "osd", ["--psm", "0"], ("osd",), deadline)
    except _TesseractFailed:
        return 0  # "too few characters" to tell: the reading stays as it is
    found = dict(line.split(":", 1) for line in outputs["osd"].splitlines() if ":" in line)
    try:
        rotate = int(found["Rotate"].strip()) % 360
        confidence = float(found["Orientation confidence"].strip())
    except (KeyError, ValueError):
        return 0
    if rotate not in _TURN or confidence < OSD_MIN_CONFIDENCE:
        return 0
    return rotate


def _ocr(source: Path, page: _Page, languages: str, deadline: _Deadline, work: Path) -> _Pass:
    config = ["--dpi", str(page.dpi)] if page.file is None and page.dpi else []
    outputs = _tesseract(source, work / "ocr", languages, config, ("txt", "hocr"), deadline)
    text = unicodedata.normalize("NFC", outputs["txt"]).replace("\f", "").strip()
    words, vertical_share = parse_hocr(outputs["hocr"])
    return _Pass(text=text, words=words, hocr=outputs["hocr"], vertical_share=vertical_share)


@contextmanager
def _one_thread() -> Iterator[None]:
    """OMP_THREAD_LIMIT=1 for the Tesseract started meanwhile (pytesseract passes it our
    environment): one page with OpenMP threads took 8-14 s, with one thread 1.2-1.7 s."""
    before = os.environ.get("OMP_THREAD_LIMIT")
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["OMP_THREAD_LIMIT"]
        else:
            os.environ["OMP_THREAD_LIMIT"] = before


def _tesseract(
    source: Path,
    base: Path,
    languages: str,
    config: list[str],
    outputs: tuple[str, ...],
    deadline: _Deadline,
) -> dict[str, str]:
    """Run Tesseract once on `source`, writing each of `outputs` ("txt", "hocr", "osd") next
    to `base`; their contents by name."""
    remaining = deadline.remaining()
    try:
        with _one_thread():
            pytesseract.pytesseract.run_tesseract(
                str(source),
                str(base),
                extension=" ".join(outputs),
                lang=languages,
                config=" ".join(config),
                timeout=remaining,
            )
    except pytesseract.TesseractError as exc:  # before RuntimeError, its base class
        raise _TesseractFailed(exc.message or f"exit status {exc.status}")
    except RuntimeError as exc:
        if "timeout" in str(exc):  # pytesseract killed Tesseract
            raise deadline.error()
        raise
    except pytesseract.TesseractNotFoundError:
        raise OcrError("Tesseract is not installed (no `tesseract` on the PATH)")
    results = {}
    for name in outputs:
        try:
            results[name] = base.with_suffix(f".{name}").read_bytes().decode("utf-8", "replace")
        except OSError:
            raise _TesseractFailed(f"it wrote no {name} output")
    return results


# --------------------------------------------------------------------------------------------
# hOCR


def parse_hocr(hocr: str) -> tuple[list[Word], float]:
    """The words of an hOCR document (text, box, confidence) and the share of their letters
    that lie in lines taller than wide (text Tesseract read top to bottom)."""
    try:
        root = ET.fromstring(hocr.encode("utf-8"))
    except ET.ParseError as exc:
        raise OcrError(f"Tesseract wrote hOCR that does not parse: {exc}")
    words: list[Word] = []
    letters = vertical = 0
    for line in root.iter(f"{_XHTML}span"):
        if line.get("class") not in _LINE_CLASSES:
            continue
        line_box = _title(line.get("title", "")).get("bbox")
        upright = not line_box or _is_wide(line_box)
        for span in line.iter(f"{_XHTML}span"):
            if span.get("class") != "ocrx_word":
                continue
            text = unicodedata.normalize("NFC", "".join(span.itertext())).strip()
            fields = _title(span.get("title", ""))
            box = fields.get("bbox")
            if not text or not box or len(box) != 4:
                continue
            x0, y0, x1, y1 = (int(v) for v in box)
            conf = float(fields.get("x_wconf", ["0"])[0])
            words.append(Word(text, x0, y0, x1 - x0, y1 - y0, conf))
            count = sum(c.isalnum() for c in text)
            letters += count
            vertical += 0 if upright else count
    return words, (vertical / letters if letters else 0.0)


def _is_wide(box: list[str]) -> bool:
    x0, y0, x1, y1 = (float(v) for v in box[:4])
    return (x1 - x0) >= (y1 - y0)


def _title(title: str) -> dict[str, list[str]]:
    """hOCR properties: 'bbox 1 2 3 4; x_wconf 96' -> {'bbox': [...], 'x_wconf': ['96']}."""
    fields = {}
    for part in title.split(";"):
        name, *values = part.split() or [""]
        if name:
            fields[name] = values
    return fields
