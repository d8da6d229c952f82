"""The database side of an ingest run with work to write: registering prepared units in batches,
and recovering after a run that stopped part-way. Kept apart from `ingest.batch`, which imports it
only when a run needs it: a run that finds every file already done starts without SQLAlchemy."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from archive import items, journal, tags
from archive.models import Item, Master, Source
from ingest.describe import Options, new_item
from ingest.pipeline import Prepared

if TYPE_CHECKING:
    from archive.home import Archive
    from ingest.batch import Report

COMMIT_SECONDS = 2.0  # a batch is written at batch_size results, or after this long


class Writer:
    """Registers prepared units in batches, each batch one transaction with its journal events."""

    def __init__(self, archive: Archive, options: Options, report: Report, dry_run: bool):
        self.archive, self.options, self.report, self.dry_run = archive, options, report, dry_run
        self.batch: list[Prepared] = []
        self.started = time.monotonic()
        self.seen: dict[str, str] = {}  # content hash -> input, for a dry run's duplicates

    def add(self, prepared: Prepared) -> None:
        self.batch.append(prepared)
        full = len(self.batch) >= self.archive.settings["batch_size"]
        if full or time.monotonic() - self.started > COMMIT_SECONDS:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        with self.archive.session() as session:
            entries = [self._entry(session, prepared) for prepared in self.batch]
            if not self.dry_run:
                self._register(session, entries)
                journal.record(session, self.report.run_id, entries)
        for entry in entries:
            entry.pop("new", None)
        self.report.entries += entries
        self.batch = []
        self.started = time.monotonic()

    def _entry(self, session, prepared: Prepared) -> dict[str, Any]:
        """The report entry of one unit; a unit to register carries its new item under "new"."""
        name = prepared.unit.name
        if prepared.failed_step:
            return {
                "input": name,
                "outcome": "skipped" if prepared.skipped else "failed",
                "step": prepared.failed_step,
                "reason": prepared.reason,
            }
        new = new_item(prepared, self.options)
        entry: dict[str, Any] = {"input": name, "type": new.type}
        if prepared.unit.described_by:
            entry["described_by"] = prepared.unit.described_by
        if prepared.warnings:
            entry["warnings"] = prepared.warnings
        if not self.dry_run:
            return entry | {"new": new}
        existing = items.find_by_hash(session, new.content_hash)
        if existing or new.content_hash in self.seen:
            other = existing.accession_id if existing else self.seen[new.content_hash]
            return entry | {"outcome": "duplicate", "duplicate_of": other}
        self.seen[new.content_hash] = name
        return entry | {"outcome": "would-create", "title": new.title, "access": new.access}

    def _register(self, session, entries: list[dict[str, Any]]) -> None:
        waiting = [entry for entry in entries if "new" in entry]
        prefix = self.archive.settings["identifier_prefix"]
        registered = items.register(session, [entry["new"] for entry in waiting], prefix)
        threshold = self.archive.settings["tag_threshold"]
        for entry, (outcome, item) in zip(waiting, registered, strict=True):
            key = "item" if outcome == "created" else "duplicate_of"
            entry.update({"outcome": outcome, key: item.accession_id, "item_pk": item.id})
            if outcome == "created":
                tags.auto_tag(session, item, self.archive.vocabularies, threshold)
                entry["warnings"] = entry.get("warnings", []) + page_problems(entry["new"])
                if not entry["warnings"]:
                    del entry["warnings"]


def page_problems(new) -> list[str]:
    """Pages whose OCR failed: the item is stored, and the report says which pages and why."""
    problems = []
    number = 0
    for file in new.files:
        for result in file.pages or [None] * len(file.frames):
            number += 1
            if result is not None and result.error:
                problems.append(f"page {number}: OCR failed: {result.error}")
    return problems


def known_sources(archive: Archive) -> dict[str, tuple[int, int, str, int]]:
    """archive.sqlite.known_sources, for a database other than the home's SQLite file."""
    with archive.session() as session:
        rows = session.execute(
            select(Source.path, Source.size, Source.mtime_ns, Item.accession_id, Item.id).join(
                Item, Source.item_id == Item.id
            )
        ).all()
    return {path: (size, mtime, accession, pk) for path, size, mtime, accession, pk in rows}


def recover(archive: Archive) -> bool:
    """After a run that did not finish, remove what it stored but never recorded; True when
    there was such a run."""
    with archive.session() as session:
        if not journal.close_unfinished(session):
            return False
        referenced = set(session.scalars(select(Master.stored_path)))
        archive.masters.sweep(referenced)
        return True
