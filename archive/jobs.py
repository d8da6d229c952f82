"""Jobs: one page's OCR or IIIF images, queued for `archive worker` processes when the setting
`broker_url` names a broker (`ingest.job_queue` carries their ids). A job's state is kept here:
queued, running (with the worker and how many times one started it), done, or failed with its
reason. Starting a try is bookkeeping, committed on its own before the work, so that a worker
killed by the page still counts it; a job's result is committed with its state, in the unit of
work that writes the result, so that a job done twice writes its result once."""

from __future__ import annotations

import os
import socket
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from archive.models import IngestRun, Item, Job, Page, utcnow

OPEN = ("queued", "running")
FINISHED = ("done", "failed")


def add(
    session: Session,
    command: str,
    kind: str,
    pages: Iterable[Page],
    run_id: int | None = None,
    languages: str | None = None,
) -> list[tuple[str, int]]:
    """Queue a job of `kind` (ocr | images) for each page; (kind, id) of each, to be sent once
    the caller's transaction is committed."""
    made = [
        Job(
            command=command,
            run_id=run_id,
            kind=kind,
            page=page,
            sha256=page.master.sha256,
            languages=languages,
            state="queued",
            tries=0,
            indexed=False,
            queued_at=utcnow(),
        )
        for page in pages
    ]
    session.add_all(made)
    session.flush()
    return [(job.kind, job.id) for job in made]


def worker_name() -> str:
    """Who is trying a job: the machine and the process."""
    return f"{socket.gethostname()} pid {os.getpid()}"


def begin(session: Session, job_id: int) -> Job | None:
    """Start a try of the job (counted, and named after this process); None when it is
    finished already (its message came twice) or gone."""
    started = {"tries": Job.tries + 1, "worker": worker_name(), "started_at": utcnow()}
    return _take(session, job_id, state="running", **started)


def claim(session: Session, job_id: int) -> Job | None:
    """The job, taken for its result to be written with it; None when another try has finished
    it already: that try's result stands."""
    return _take(session, job_id, state="done")


def _take(session: Session, job_id: int, **values) -> Job | None:
    """Change the job if it is still open, in one statement, which two workers cannot both make
    (on SQLite it takes the write lock; on PostgreSQL the row's, and the second finds it
    changed): the job, or None when it was not open."""
    taken = session.execute(
        update(Job).where(Job.id == job_id, Job.state.in_(OPEN)).values(**values)
    )
    if taken.rowcount != 1:
        return None
    return session.get(Job, job_id, populate_existing=True)


def following(session: Session, job_id: int) -> list[tuple[str, int]]:
    """The queued jobs a finished OCR job was followed by (its page's images): sent again when
    its message comes again, since its worker may have ended between its commit and the send."""
    job = session.get(Job, job_id)
    if job is None or job.kind != "ocr":
        return []
    rows = session.execute(
        select(Job.kind, Job.id).where(
            Job.page_id == job.page_id, Job.id > job.id, Job.kind == "images", Job.state == "queued"
        )
    )
    return [(kind, found) for kind, found in rows]


def item_finished(session: Session, job_id: int) -> bool:
    """Whether the job's item has no job left to do."""
    job = session.get(Job, job_id)
    return job is not None and open_on_item(session, job.page.item_id) == 0


def interrupted(session: Session) -> list[tuple[str, int]]:
    """The jobs still queued of ingest runs that were interrupted: sent again by the next run,
    since the run may have ended between a batch's commit and its sending."""
    rows = session.execute(
        select(Job.kind, Job.id)
        .join(IngestRun, Job.run_id == IngestRun.id)
        .where(IngestRun.status == "interrupted", Job.state == "queued")
    )
    return [(kind, found) for kind, found in rows]


def never_started(session: Session, command: str, seconds: float) -> list[tuple[str, int]]:
    """The jobs of `command` (ocr | derivatives) queued over `seconds` ago and never started:
    sent again by its next run, since the last one may have ended between its commit and its
    sending. One sent twice is started once: the second message finds it finished."""
    since = utcnow() - timedelta(seconds=seconds)
    rows = session.execute(
        select(Job.kind, Job.id).where(
            Job.command == command, Job.state == "queued", Job.tries == 0, Job.queued_at < since
        )
    )
    return [(kind, found) for kind, found in rows]


def note_error(session: Session, job_id: int, error: str) -> None:
    """Keep why a try of a running job failed, for the reason it is given if every try does."""
    session.execute(
        update(Job).where(Job.id == job_id, Job.state == "running").values(reason=error[:500])
    )


def finish(job: Job, reason: str | None = None) -> None:
    job.state = "failed" if reason else "done"
    job.reason, job.finished_at = reason, utcnow()


def to_index(session: Session) -> tuple[list[int], set[str]]:
    """The finished jobs the search index has not learnt of, of items with none left to do, and
    those items' accession ids."""
    unfinished = select(Page.item_id).join(Job, Job.page_id == Page.id).where(Job.state.in_(OPEN))
    rows = session.execute(
        select(Job.id, Item.accession_id)
        .join(Page, Job.page_id == Page.id)
        .join(Item, Page.item_id == Item.id)
        .where(Job.state.in_(FINISHED), Job.indexed.is_(False), Item.id.not_in(unfinished))
    ).all()
    return [job_id for job_id, _ in rows], {accession_id for _, accession_id in rows}


def indexed(session: Session, job_ids: list[int]) -> None:
    session.execute(update(Job).where(Job.id.in_(job_ids)).values(indexed=True))


def open_on_item(session: Session, item_id: int) -> int:
    """How many jobs on the item's pages are yet to finish."""
    return session.scalar(
        select(func.count(Job.id))
        .join(Page, Job.page_id == Page.id)
        .where(Page.item_id == item_id, Job.state.in_(OPEN))
    )


def status(session: Session, run_ids: list[int]) -> dict[str, Any]:
    """The jobs of the ingest runs `run_ids`, and of `archive ocr` and `archive derivatives`:
    counts by kind and state, and each failed one with its reason. Keyed by run id, and by
    command for the others."""
    query = select(Job.command, Job.run_id, Job.kind, Job.state, func.count(Job.id)).group_by(
        Job.command, Job.run_id, Job.kind, Job.state
    )
    found: dict[str, Any] = defaultdict(lambda: {"counts": Counter(), "failed": []})
    for command, run_id, kind, state, count in session.execute(query):
        if command == "ingest" and run_id not in run_ids:
            continue
        found[_key(command, run_id)]["counts"][f"{kind} {state}"] += count
    failed = (
        select(Job.command, Job.run_id, Job.kind, Item.accession_id, Page.number, Job.reason)
        .join(Page, Job.page_id == Page.id)
        .join(Item, Page.item_id == Item.id)
        .where(Job.state == "failed", (Job.command != "ingest") | Job.run_id.in_(run_ids))
        .order_by(Job.id)
    )
    for command, run_id, kind, accession_id, number, reason in session.execute(failed):
        found[_key(command, run_id)]["failed"].append(
            {"item": accession_id, "page": number, "kind": kind, "reason": reason}
        )
    return {key: {"counts": dict(v["counts"]), "failed": v["failed"]} for key, v in found.items()}


def _key(command: str, run_id: int | None) -> str:
    return str(run_id) if command == "ingest" else command
