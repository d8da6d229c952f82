"""What reading one page gives, shared by the readers (`ingest.ocr` for Tesseract, `ingest.pdf`
for a PDF's own text layer): its words with their boxes, the whole reading, and the error a page
that cannot be read raises. `ingest.pipeline.read` turns a `RawReading` into the
`archive.records.Reading` that is recorded."""

from __future__ import annotations

from dataclasses import dataclass


class OcrError(Exception):
    """A page that cannot be read; the message says why, for a person."""


@dataclass
class Word:
    text: str
    x: int
    y: int
    w: int
    h: int
    conf: float  # 0-100 (100 for a PDF text layer)


@dataclass
class RawReading:
    """A page's text as its reader gives it: words as boxes, Tesseract's hOCR as text."""

    text: str  # plain text, NFC, lines and paragraphs kept
    words: list[Word]
    confidence: float | None  # mean word confidence 0-100; None when no words
    width: int  # pixel size of the upright page the boxes refer to
    height: int
    rotation: int  # 0, 90, 180, 270: degrees clockwise the stored image was turned to read it
    source: str  # "ocr" or "pdf-text"
    ocr_languages: str | None  # e.g. "vie+eng"; None for pdf-text
    engine: str  # "tesseract 5.3.0" or "pdfium <version> text layer"
    language: str | None  # ISO 639-1 of the text; None when there is too little of it
    hocr: str | None  # the hOCR Tesseract wrote; None for pdf-text
