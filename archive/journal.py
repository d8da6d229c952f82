"""The ingest journal: each run, and what it did with each input. `archive status` reads it, and
the state of the jobs runs queued (`archive.jobs`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from archive import jobs
from archive.models import IngestEvent, IngestRun, Item, Master, Page, utcnow
from archive.records import Entry


def start_run(session: Session, options: dict[str, Any]) -> int:
    run = IngestRun(options=options, status="running", counts={})
    session.add(run)
    session.flush()
    return run.id


def close_unfinished(session: Session) -> bool:
    """Mark runs that never finished (killed, or stopped by an error) as interrupted; True when
    there were any, since such a run may have left masters that no record refers to."""
    runs = session.scalars(select(IngestRun).where(IngestRun.status == "running")).all()
    for run in runs:
        run.status = "interrupted"
    return bool(runs)


def record(session: Session, run_id: int, events: list[Entry]) -> None:
    """Write report entries as events, in the caller's transaction (with the items they made).
    One multi-row insert: a run over a folder of thousands of unchanged files stays quick."""
    if not events:
        return
    rows = [
        {
            "run_id": run_id,
            "path": entry.input,
            "outcome": entry.outcome,
            "item_id": entry.item_pk,
            "step": entry.step,
            "reason": entry.reason,
            "warnings": entry.warnings,
            "at": utcnow(),
        }
        for entry in events
    ]
    session.execute(insert(IngestEvent), rows)


def finish_run(session: Session, run_id: int, counts: dict[str, int]) -> None:
    run = session.get(IngestRun, run_id)
    run.status, run.finished_at, run.counts = "done", utcnow(), counts


def status(session: Session, last_runs: int = 5) -> dict[str, Any]:
    """Counts of what the archive holds, the last runs, and what their inputs failed on."""
    by = lambda column: dict(session.execute(select(column, func.count()).group_by(column)).all())  # noqa: E731
    runs = session.scalars(select(IngestRun).order_by(IngestRun.id.desc()).limit(last_runs)).all()
    queued = jobs.status(session, [run.id for run in runs])
    return {
        "items": session.scalar(select(func.count(Item.id))),
        "by_type": by(Item.type),
        "by_access": by(Item.access),
        "pages": session.scalar(select(func.count(Page.id))),
        "masters": session.scalar(select(func.count(Master.id))),
        # int(): PostgreSQL's sum of a bigint is a numeric, which comes back as a Decimal
        "master_bytes": int(session.scalar(select(func.coalesce(func.sum(Master.size), 0)))),
        "runs": [_run(session, run) | {"jobs": queued.get(str(run.id))} for run in runs],
        # the jobs of `archive ocr` and `archive derivatives`, by command
        "jobs": {key: value for key, value in queued.items() if not key.isdigit()},
    }


def _run(session: Session, run: IngestRun) -> dict[str, Any]:
    failures = session.scalars(
        select(IngestEvent)
        .where(IngestEvent.run_id == run.id, IngestEvent.outcome == "failed")
        .order_by(IngestEvent.id)
    ).all()
    mended = _mended(session, failures)
    counts = run.counts or dict(
        Counter(
            session.scalars(select(IngestEvent.outcome).where(IngestEvent.run_id == run.id)).all()
        )
    )
    return {
        "id": run.id,
        "started_at": run.started_at.isoformat() + "Z",
        "finished_at": run.finished_at.isoformat() + "Z" if run.finished_at else None,
        "status": run.status,
        "counts": counts,
        "failed": [
            {"input": e.path, "step": e.step, "reason": e.reason}
            for e in failures
            if e.id not in mended
        ],
        "mended": len(mended),
    }


# What a later run did with an input that says the input is now in the archive.
MENDING = ("created", "duplicate", "unchanged", "updated")


def _mended(session: Session, failures: list[IngestEvent]) -> set[int]:
    """The failures a later run mended: their input was ingested after all (once the file, or
    the sidecar describing it, was put right)."""
    if not failures:
        return set()
    later = dict(
        session.execute(
            select(IngestEvent.path, func.max(IngestEvent.id))
            .where(
                IngestEvent.path.in_({e.path for e in failures}),
                IngestEvent.outcome.in_(MENDING),
                IngestEvent.id > failures[0].id,
            )
            .group_by(IngestEvent.path)
        ).all()
    )
    return {e.id for e in failures if later.get(e.path, 0) > e.id}
