"""What a machine read of a page, put on the page: a new text version, or the reason it failed.
Used where pages are made (`archive.items`) and where they are read again (`ingest.reread`)."""

from __future__ import annotations

from archive.models import Page, PageText
from archive.records import PageResult


def record_result(page: Page, result: PageResult) -> None:
    """Put what OCR made of a page on it: a new text version, or the reason it failed."""
    if result.error is not None:
        page.ocr_status, page.ocr_error = "failed", result.error
        return
    reading = result.reading
    if reading is None:
        return
    page.ocr_status, page.ocr_error, page.rotation = "done", None, reading.rotation
    page.texts.append(
        PageText(
            version=len(page.texts) + 1,
            source=reading.source,
            text=reading.text,
            language=reading.language,
            confidence=reading.confidence,
            ocr_languages=reading.ocr_languages,
            engine=reading.engine,
            words=reading.words,
            width=reading.width,
            height=reading.height,
            hocr_path=reading.hocr_path,
        )
    )
