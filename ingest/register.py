"""The database side of an ingest run with work to write: registering prepared units in batches,
and recovering after a run that stopped part-way. Kept apart from `ingest.batch`, which imports it
only when a run needs it: a run that finds every file already done starts without SQLAlchemy."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from archive import items, journal
from archive.models import Item, Master, Source
from archive.records import Entry, NewItem
from ingest.describe import Options, new_item
from ingest.pipeline import Prepared

if TYPE_CHECKING:
    from archive.home import Archive
    from archive.work import UnitOfWork

COMMIT_SECONDS = 2.0  # a batch is written at batch_size results, or after this long


@dataclass
class _Holder:
    """The first unit of a run to hold a content: its report entry, and the description (by a
    sidecar) that the content's item has; None when no sidecar described it."""

    entry: Entry
    fields: dict[str, Any] | None


class Writer:
    """Registers prepared units in batches, each batch one transaction with its journal events,
    and returns their report entries.

    Of copies of one content in a run, the first makes the item and the others are duplicates of
    it; when a sidecar describes a later copy but not the first, the item takes that description,
    and so does the first copy's entry (copies described differently never get here:
    `ingest.copies`)."""

    def __init__(
        self,
        archive: Archive,
        options: Options,
        run_id: int | None,
        dry_run: bool,
        send: Callable[[list[tuple[str, int]]], None] | None = None,
    ):
        self.archive, self.options, self.run_id, self.dry_run = archive, options, run_id, dry_run
        self.send = send  # with a broker: the new items' pages are read by jobs, sent so
        self.jobs: list[tuple[str, int]] = []
        self.batch: list[Prepared] = []
        self.started = time.monotonic()
        self.holders: dict[str, _Holder] = {}  # content hash -> the unit that holds it

    def add(self, prepared: Prepared) -> list[Entry]:
        """Take a prepared unit; the report entries of a batch when it was written."""
        self.batch.append(prepared)
        full = len(self.batch) >= self.archive.settings["batch_size"]
        if full or time.monotonic() - self.started > COMMIT_SECONDS:
            return self.flush()
        return []

    def flush(self) -> list[Entry]:
        """Write the batch taken so far (one unit of work, with its journal events); its report
        entries."""
        if not self.batch:
            return []
        if self.dry_run:
            with self.archive.session() as session:
                entries = [self._entry(session, prepared) for prepared in self.batch]
        else:
            with self.archive.change("ingest") as work:
                entries = [self._entry(work.session, prepared) for prepared in self.batch]
                self._register(work, list(zip(self.batch, entries, strict=True)))
                journal.record(work.session, self.run_id, entries)
            if self.send:
                self.send(self.jobs)  # once committed: a worker finds each job's record
                self.jobs = []
        for entry in entries:
            entry.new = None
        self.batch = []
        self.started = time.monotonic()
        return entries

    def _entry(self, session, prepared: Prepared) -> Entry:
        """The report entry of one unit; a unit to register carries its new item."""
        name = prepared.unit.name
        if prepared.failed_step:
            outcome = "skipped" if prepared.skipped else "failed"
            return Entry(name, outcome, step=prepared.failed_step, reason=prepared.reason)
        new = new_item(prepared, self.options)
        entry = Entry(name, type=new.type, described_by=prepared.unit.described_by)
        entry.warnings = list(prepared.warnings)
        if not self.dry_run:
            entry.new = new
            return entry
        return self._dry_entry(session, prepared, entry, new)

    def _dry_entry(self, session, prepared: Prepared, entry: Entry, new: NewItem) -> Entry:
        """What a real run would report, with the title and access each item would get."""
        holder = self.holders.get(new.content_hash)
        existing = items.find_by_hash(session, new.content_hash)
        if existing or holder:
            if holder and holder.fields is None and prepared.unit.description:
                holder.entry.title, holder.entry.access = new.title, new.access
                self._described(holder, prepared, entry)
            entry.outcome = "duplicate"
            entry.duplicate_of = existing.accession_id if existing else holder.entry.input
            return entry
        entry.outcome, entry.title, entry.access = "would-create", new.title, new.access
        self.holders[new.content_hash] = _Holder(entry, _fields(prepared))
        return entry

    def _register(self, work: UnitOfWork, pairs: list[tuple[Prepared, Entry]]) -> None:
        waiting = [(prepared, entry) for prepared, entry in pairs if entry.new is not None]
        prefix = self.archive.settings["identifier_prefix"]
        registered = items.register(work, [entry.new for _, entry in waiting], prefix)
        for (prepared, entry), (outcome, item) in zip(waiting, registered, strict=True):
            entry.outcome, entry.item_pk = outcome, item.id
            holder = self.holders.get(item.content_hash)
            if outcome == "created":
                entry.item = item.accession_id
                self.holders[item.content_hash] = _Holder(entry, _fields(prepared))
                entry.warnings += page_problems(entry.new)
                if self.send:
                    self._queue(work, prepared, item)
            else:
                entry.duplicate_of = item.accession_id
                if holder and holder.fields is None and prepared.unit.description:
                    items.take_description(work, item, entry.new)
                    self._described(holder, prepared, entry)

    def _queue(self, work: UnitOfWork, prepared: Prepared, item) -> None:
        from ingest import jobs

        read = prepared.type == "document" or self.options.read_photos
        images = self.archive.settings["images_at_ingest"]
        languages = self.options.languages
        self.jobs += jobs.for_item(work.session, item, read, images, self.run_id, languages)

    def _described(self, holder: _Holder, prepared: Prepared, entry: Entry) -> None:
        holder.fields = _fields(prepared)
        holder.entry.described_by = entry.described_by


def _fields(prepared: Prepared) -> dict[str, Any] | None:
    description = prepared.unit.description
    return description.fields if description else None


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


def known_sources(archive: Archive) -> dict[bytes, tuple[int, int, str, int]]:
    """archive.sqlite.known_sources, for a database other than the home's SQLite file."""
    with archive.session() as session:
        rows = session.execute(
            select(Source.key, Source.size, Source.mtime_ns, Item.accession_id, Item.id).join(
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
