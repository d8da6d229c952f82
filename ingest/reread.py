"""Read pages again: `archive ocr ID...` and `archive ocr --retry-failed`. The workers OCR each
page from its stored master; this process records the new readings and re-tags the items."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archive import readings, texts
from archive.home import Archive
from archive.models import Page
from archive.records import PageResult
from ingest.pipeline import FileRecord, StepContext, read, with_languages
from ingest.workers import ordered_map

if TYPE_CHECKING:
    from archive.work import UnitOfWork


@dataclass(frozen=True)
class PageJob:
    page_id: int
    path: Path
    media_type: str
    sha256: str
    frame: int
    stored_path: str


@dataclass
class Reread:
    """What a run of `reread` did: pages read, and pages whose reading failed."""

    done: int = 0
    failed: int = 0


def read_job(job: PageJob, context: StepContext) -> PageResult:
    """OCR the page from its stored master."""
    record = FileRecord(
        job.path,
        str(job.path),
        media_type=job.media_type,
        sha256=job.sha256,
        stored_path=job.stored_path,
    )
    return read(record, job.frame, context)


def ocr_context(archive: Archive, languages: str) -> StepContext:
    """The context of reading stored pages again: no masters written, hOCR kept."""
    return StepContext(
        archive.settings["max_image_pixels"],
        archive.settings["max_pages"],
        None,
        languages=languages,
        ocr_timeout=archive.settings["ocr_timeout"],
        ocr_root=archive.home / "ocr",
    )


def _crashed(_job: PageJob) -> PageResult:
    return PageResult(error="the OCR worker crashed on this page")


def reread(
    archive: Archive,
    accession_ids: list[str],
    failed_only: bool,
    languages: str,
    workers: int,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[], None] = lambda: None,
) -> Reread:
    """OCR the pages again; returns how many pages were read and how many failed. Each page's
    new reading is a unit of work of its own, committed as it comes, so a stopped run keeps what
    it did."""
    with archive.writer_lock("ocr"):
        with archive.session() as session:
            pages = texts.pages_to_read(session, accession_ids, failed_only)
            jobs = [page_job(archive, page) for page in pages]
        on_start(len(jobs))
        context = ocr_context(archive, languages)
        counts = Reread()
        read_one = functools.partial(read_job, context=context)
        for job, result in ordered_map(read_one, jobs, workers, _crashed):
            with archive.change("ocr") as work:
                record_reading(work, work.session.get(Page, job.page_id), with_languages(result))
            if result.error:
                counts.failed += 1
            else:
                counts.done += 1
            on_done()
    return counts


def record_reading(work: UnitOfWork, page: Page, result: PageResult) -> None:
    """Put a new reading on the page: its text changed (the item is re-tagged, indexed and
    audited), or the reason it failed, audited."""
    before = page.text
    readings.record_result(page, result)
    if page.text is not before:
        texts.text_changed(work, page, before)
    else:  # failed again, or for the first time: the page's reason is new
        work.record(page.item.accession_id, f"ocr p.{page.number}", None, result.error)


def page_job(archive: Archive, page: Page) -> PageJob:
    """What a worker needs to read the page, with no database."""
    master = page.master
    path = archive.home / master.stored_path
    return PageJob(page.id, path, master.media_type, master.sha256, page.frame, master.stored_path)
