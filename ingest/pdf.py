"""PDF pages for reading: a page's own text layer when it has one (typed, or a scan that was
OCR'd before), or the page rendered as an image for OCR (a scan). pypdfium2 (PDFium) does both.

A page has a text layer when its text holds at least `MIN_LETTERS` letters: fewer are a page
number, a stamp or a scanner's footer on a scan, which still needs OCR.
"""

from __future__ import annotations

import ctypes
import math
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image
from pypdfium2.version import PDFIUM_INFO

from ingest.language import detect_language
from ingest.readings import OcrError, RawReading, Word

MIN_LETTERS = 20
POINTS_PER_INCH = 72
ENGINE = f"pdfium {PDFIUM_INFO.tag} text layer"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


@contextmanager
def open_page(path: Path, index: int) -> Iterator[pdfium.PdfPage]:
    """Page `index` (0-based) of the PDF at `path`; the document is closed on leaving."""
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise OcrError(f"cannot open the PDF: {exc}")
    except OSError as exc:
        raise OcrError(f"cannot read the PDF: {exc.strerror or exc}")
    try:
        count = len(document)
        if not 0 <= index < count:
            plural = "s" if count != 1 else ""
            raise OcrError(f"there is no page {index + 1} (the PDF has {count} page{plural})")
        try:
            page = document[index]
        except pdfium.PdfiumError as exc:
            raise OcrError(f"cannot load page {index + 1} of the PDF: {exc}")
        try:
            yield page
        finally:
            page.close()
    finally:
        document.close()


def pixel_size(page: pdfium.PdfPage, dpi: int) -> tuple[int, int]:
    """The size of the page rendered at `dpi` (its /Rotate applied), as PDFium renders it."""
    width, height = page.get_size()
    scale = dpi / POINTS_PER_INCH
    return math.ceil(width * scale), math.ceil(height * scale)


class PageSizeError(OcrError):
    """A page refused for its size, read from the PDF before rendering it."""


def check_size(width: int, height: int, number: int, dpi: int, max_pixels: int) -> None:
    """PageSizeError when page `number` (1-based), `width`×`height` pixels at `dpi`, has no
    area or more than `max_pixels` pixels: known from the page's size, before anything renders
    it (a PDF of 600 bytes can ask for a page of 60,000×60,000 pixels, 14 GB)."""
    if width <= 0 or height <= 0:
        raise PageSizeError(f"page {number} has no area ({width}×{height} pixels)")
    if width * height > max_pixels:
        raise PageSizeError(
            f"page {number} is {width}×{height} pixels at {dpi} dpi, more than the limit "
            f"of {max_pixels:,}; refused before rendering"
        )


def page_sizes(path: Path, dpi: int) -> tuple[tuple[int, int], ...]:
    """Every page's pixel size at `dpi`: the size its image and its text boxes will have."""
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise OcrError(f"cannot open the PDF: {exc}")
    try:
        sizes = []
        for index in range(len(document)):
            page = document[index]
            try:
                sizes.append(pixel_size(page, dpi))
            finally:
                page.close()
        return tuple(sizes)
    finally:
        document.close()


def text_layer(path: Path, index: int, dpi: int, detect: bool = True) -> RawReading | None:
    """The text layer of page `index`, word boxes in pixels of the page rendered at `dpi`; None
    when the page has fewer than `MIN_LETTERS` letters of text (a scan, or a blank page)."""
    with open_page(path, index) as page:
        try:
            textpage = page.get_textpage()
        except pdfium.PdfiumError as exc:
            raise OcrError(f"cannot read the text of page {index + 1}: {exc}")
        try:
            text = _clean(textpage.get_text_range())
            if sum(c.isalpha() for c in text) < MIN_LETTERS:
                return None
            width, height = pixel_size(page, dpi)
            words = list(_words(page, textpage, width, height))
        finally:
            textpage.close()
    return RawReading(
        text=text,
        words=words,
        confidence=100.0 if words else None,
        width=width,
        height=height,
        rotation=0,
        source="pdf-text",
        ocr_languages=None,
        engine=ENGINE,
        language=detect_language(text) if detect else None,
        hocr=None,
    )


def render_page(path: Path, index: int, dpi: int, max_pixels: int) -> Image.Image:
    """Page `index` rendered in grey at `dpi`; OcrError, before anything is rendered, when the
    image would have more than `max_pixels` pixels."""
    with open_page(path, index) as page:
        check_size(*pixel_size(page, dpi), index + 1, dpi, max_pixels)
        try:
            bitmap = page.render(scale=dpi / POINTS_PER_INCH, grayscale=True)
        except pdfium.PdfiumError as exc:
            raise OcrError(f"cannot render page {index + 1}: {exc}")
        try:
            # The image shares the bitmap's memory, which closing frees: keep a copy.
            image = bitmap.to_pil().copy()
        finally:
            bitmap.close()
    image.info["dpi"] = (dpi, dpi)
    return image


def _clean(text: str) -> str:
    """PDFium's text as plain NFC lines: CRLF to LF, no control characters, no trailing
    spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _words(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, width: int, height: int
) -> Iterator[Word]:
    """The words of the text layer, split at spaces and line ends, each with the box of its
    letters in pixels of the rendered (upright) page."""
    letters: list[str] = []
    box: list[float] = []
    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
        if 0xD800 <= code <= 0xDFFF:
            continue  # half of a UTF-16 pair: no character on its own, and no UTF-8 either
        char = chr(code) if 0 < code < 0x110000 else ""
        generated = pdfium_c.FPDFText_IsGenerated(textpage.raw, i) == 1
        if generated or not char or char.isspace() or _CONTROL.match(char):
            if letters:
                yield _word(page, letters, box, width, height)
            letters, box = [], []
            continue
        left, bottom, right, top = textpage.get_charbox(i)
        letters.append(char)
        if not box:
            box = [left, bottom, right, top]
        else:
            box = [min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top)]
    if letters:
        yield _word(page, letters, box, width, height)


def _word(
    page: pdfium.PdfPage, letters: list[str], box: list[float], width: int, height: int
) -> Word:
    left, bottom, right, top = box
    corners = [_to_device(page, x, y, width, height) for x, y in ((left, top), (right, bottom))]
    x0, x1 = sorted(max(0, min(width, x)) for x, _ in corners)
    y0, y1 = sorted(max(0, min(height, y)) for _, y in corners)
    text = unicodedata.normalize("NFC", "".join(letters))
    return Word(text, x0, y0, max(1, x1 - x0), max(1, y1 - y0), 100.0)


def _to_device(page: pdfium.PdfPage, x: float, y: float, width: int, height: int):
    """A point of the page (PDF units) in pixels of the page rendered `width`×`height`, its
    crop box and /Rotate applied as PDFium renders them."""
    device_x, device_y = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDF_PageToDevice(
        page.raw, 0, 0, width, height, 0, x, y, ctypes.byref(device_x), ctypes.byref(device_y)
    )
    return device_x.value, device_y.value
