"""What `archive worker` does with a job (`archive.jobs`): OCR one page, or make its IIIF images,
from the stored master, then commit the result in a unit of work, as a local ingest or
`archive ocr` does (the item re-tagged and audited); once the last of an item's jobs is done,
the item is indexed again, soon after, with others. Also which jobs an item ingested with a
broker gets."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from archive import derivatives
from archive import jobs as records
from archive.home import Archive
from archive.models import Item
from archive.records import PageResult
from ingest.pipeline import make_images, with_languages
from ingest.reread import PageJob, ocr_context, page_job, read_job, record_reading

Send = Callable[[list[tuple[str, int]]], None]  # sends (kind, id) of jobs to the broker
INDEX_SECONDS = 30.0  # how long a finished item may wait to be searchable


def for_item(session, item: Item, read: bool, images: bool, run_id: int | None, languages: str):
    """The jobs of a new item: OCR of each page when it is to be read (the IIIF images follow
    each page's reading, which finds it upright), else its images when they are made at ingest."""
    if read:
        return records.add(session, "ingest", "ocr", item.pages, run_id, languages)
    if images:
        return records.add(session, "ingest", "images", item.pages, run_id)
    return []


@dataclass(frozen=True)
class _Try:
    """A job's try, as read when it started: what the work needs, with no database."""

    id: int
    kind: str
    command: str
    tries: int
    page: PageJob
    rotation: int
    languages: str | None
    error: str | None  # why an earlier try failed, when one raised an error (not ended)


def run(archive: Archive, job_id: int, send: Send, index: Callable[[], None]) -> None:
    """Do one job; when it is finished already (its message came again), only send again the
    jobs that followed from it. `index()` is called when the job was the item's last."""
    started = _begin(archive, job_id)
    if started is None:
        with archive.session() as session:
            follow = records.following(session, job_id)
            last = records.item_finished(session, job_id)
        send(follow)
        if last:  # the try before may have ended before it asked for the index
            index()
        return
    if started.tries > archive.settings["job_tries"]:
        reason = f"given up after {started.tries - 1} tries: " + (
            f"a try failed with {started.error}"
            if started.error
            else "the worker ended each time while on this page (it crashed, or was stopped)"
        )
        result = PageResult(error=reason) if started.kind == "ocr" else None
        last = _commit(archive, started, result, reason, send)
    elif started.kind == "ocr":
        result = with_languages(read_job(started.page, ocr_context(archive, started.languages)))
        last = _commit(archive, started, result, result.error, send)
    else:
        last = _commit(archive, started, None, _images(archive, started), send)
    if last:
        index()


def _begin(archive: Archive, job_id: int) -> _Try | None:
    with archive.session() as session:
        job = records.begin(session, job_id)
        if job is None:
            return None
        page = job.page
        return _Try(
            job.id,
            job.kind,
            job.command,
            job.tries,
            page_job(archive, page),
            page.rotation,
            job.languages,
            job.reason,
        )


def _images(archive: Archive, started: _Try) -> str | None:
    """Make the page's images; the reason when they could not be made. A page offered again at
    ingest finds them made; `archive derivatives` makes them anew."""
    page = started.page
    if started.command == "ingest" and derivatives.made(archive.home, page.sha256, page.frame):
        return None
    max_pixels = archive.settings["max_image_pixels"]
    return make_images(
        archive.home, page.path, page.media_type, page.sha256, page.frame, started.rotation,
        max_pixels,
    )  # fmt: skip


def _commit(
    archive: Archive, started: _Try, result: PageResult | None, reason: str | None, send: Send
) -> bool:
    """Write the job's result with its state, unless another try wrote it first; then send the
    jobs that follow from it. True when the item has no job left to do."""
    follow: list[tuple[str, int]] = []
    with archive.change(started.kind) as work:
        job = records.claim(work.session, started.id)
        if job is None:
            return False
        records.finish(job, reason)
        page = job.page
        if result is not None:
            record_reading(work, page, result)
            if job.command == "ingest" and archive.settings["images_at_ingest"]:
                follow = records.add(work.session, "ingest", "images", [page], job.run_id)
        elif reason is None:
            work.record(page.item.accession_id, "images", None, {"pages": [page.number]})
        last = records.open_on_item(work.session, page.item_id) == 0
    send(follow)
    return last


class IndexSoon:
    """Tells the search index of the items whose jobs are all finished, `INDEX_SECONDS` after
    the first of them, in one update: an update costs about as much as reading a page, too much
    for every item. The jobs keep whether the index has learnt of them, so that the items a
    worker finished before it was killed are indexed by another, with its own."""

    def __init__(self, archive: Archive, seconds: float = INDEX_SECONDS):
        self.archive, self.seconds = archive, seconds
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None

    def __call__(self) -> None:
        """An item is finished: index it (and any other waiting) soon."""
        with self.lock:
            if self.timer is None:
                self.timer = threading.Timer(self.seconds, self.now)
                self.timer.daemon = True
                self.timer.start()

    def now(self) -> None:
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = None
        index_finished(self.archive)


def index_finished(archive: Archive) -> None:
    """Index the items whose jobs are all finished and not yet indexed."""
    from search_index import follow
    from search_index.engines import in_database, open_index

    with archive.session() as session:
        job_ids, accession_ids = records.to_index(session)
    if not job_ids:
        return
    if not in_database(archive):  # else each result's unit of work wrote its item's document
        # Workers on several machines share the index: one writes at a time, the others wait.
        with open_index(archive, lock_timeout=INDEX_LOCK_SECONDS) as index:
            follow.update(archive, index, accession_ids)
    with archive.session() as session:
        records.indexed(session, job_ids)


INDEX_LOCK_SECONDS = 300.0
