"""An ingest run: discover the inputs, skip what an earlier run finished, prepare the rest in
worker processes, and register the results from this process alone, in batched transactions,
each batch together with its journal events. A run killed at any moment leaves committed batches
whole; the next run sweeps away masters no record refers to and carries on."""

from __future__ import annotations

import functools
import os
import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from archive import items, journal, tags
from archive.home import Archive
from archive.models import Item, Master, Source
from ingest.describe import Options, new_item
from ingest.discover import Passed, Unit, discover
from ingest.names import display
from ingest.pipeline import Context, Prepared, prepare
from ingest.workers import ordered_map

COMMIT_SECONDS = 2.0  # a batch is written at batch_size results, or after this long


@dataclass
class Report:
    entries: list[dict[str, Any]] = field(default_factory=list)
    run_id: int | None = None
    dry_run: bool = False

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(entry["outcome"] for entry in self.entries)
        with_warnings = sum(1 for entry in self.entries if entry.get("warnings"))
        if with_warnings:
            counted["with_warnings"] = with_warnings
        return dict(counted)

    @property
    def exit_code(self) -> int:
        """1 when an input failed or had metadata that had to be dropped, else 0."""
        troubled = any(e["outcome"] == "failed" or e.get("warnings") for e in self.entries)
        return 1 if troubled else 0

    def as_json(self) -> dict[str, Any]:
        inputs = [{k: v for k, v in e.items() if k != "item_pk"} for e in self.entries]
        return {
            "run": self.run_id,
            "dry_run": self.dry_run,
            "counts": self.counts,
            "inputs": inputs,
        }


def run(
    archive: Archive,
    paths: list[Path],
    options: Options,
    *,
    workers: int | None = None,
    dry_run: bool = False,
    metadata_csv: Path | None = None,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[], None] = lambda: None,
    on_committed: Callable[[list[str], bool], None] = lambda created, recovered: None,
) -> Report:
    """Ingest `paths`. `on_committed(created, recovered)` runs once everything is in the
    database, before the run is marked done: it is given the accession ids created, and whether
    an earlier run had stopped part-way (whose work the index, say, may lack)."""
    report = Report(dry_run=dry_run)
    recovered = False
    settings = archive.settings
    workers = workers or settings["workers"] or os.cpu_count() or 1
    context = Context(
        settings["max_image_pixels"],
        settings["max_pages"],
        None if dry_run else archive.masters.root,
        requested_type=options.type,
        languages=options.languages,
        read_photos=options.read_photos,
        ocr_timeout=settings["ocr_timeout"],
        ocr_root=None if dry_run else archive.home / "ocr",
        derivatives_root=None
        if dry_run or not settings["images_at_ingest"]
        else archive.home / "derivatives",
    )
    with nullcontext() if dry_run else archive.writer_lock("ingest"):
        if not dry_run:
            recovered = _recover(archive)
        found = discover(paths, options.default_lang, metadata_csv)
        report.entries += [_passed_entry(p) for p in found.passed]
        todo, unchanged = _split(archive, found.units)
        report.entries += unchanged
        on_start(len(found.units))
        for _ in unchanged:
            on_done()
        if not dry_run:
            with archive.session() as session:
                report.run_id = journal.start_run(session, _options_record(paths, options))
                journal.record(session, report.run_id, report.entries)
        writer = _Writer(archive, options, report, dry_run)
        work = functools.partial(prepare, context=context)
        for _unit, prepared in ordered_map(work, todo, workers, _crashed):
            writer.add(prepared)
            on_done()
        writer.flush()
        if not dry_run:
            created = [e["item"] for e in report.entries if e["outcome"] == "created"]
            on_committed(created, recovered)
            with archive.session() as session:
                journal.finish_run(session, report.run_id, report.counts)
    return report


def _crashed(unit: Unit) -> Prepared:
    return Prepared(
        unit,
        failed_step="identify",
        reason="the image reader crashed on this file; it is damaged or hostile",
    )


class _Writer:
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
        if prepared.warnings:
            entry["warnings"] = prepared.warnings
        if not self.dry_run:
            return entry | {"new": new}
        existing = items.find_by_hash(session, new.content_hash)
        if existing or new.content_hash in self.seen:
            other = existing.accession_id if existing else self.seen[new.content_hash]
            return entry | {"outcome": "duplicate", "duplicate_of": other}
        self.seen[new.content_hash] = name
        return entry | {"outcome": "would-create"}

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
                entry["warnings"] = entry.get("warnings", []) + _page_problems(entry["new"])
                if not entry["warnings"]:
                    del entry["warnings"]


def _page_problems(new) -> list[str]:
    """Pages whose OCR failed: the item is stored, and the report says which pages and why."""
    problems = []
    number = 0
    for file in new.files:
        for result in file.pages or [None] * len(file.frames):
            number += 1
            if result is not None and result.error:
                problems.append(f"page {number}: OCR failed: {result.error}")
    return problems


def _split(archive: Archive, units: list[Unit]) -> tuple[list[Unit], list[dict[str, Any]]]:
    """Units that need work, and entries for those an earlier run finished (same path, size and
    modification time as when they were registered): those are not read again."""
    with archive.session() as session:
        rows = session.execute(
            select(Source.path, Source.size, Source.mtime_ns, Item.accession_id, Item.id).join(
                Item, Source.item_id == Item.id
            )
        ).all()
    known = {path: (size, mtime, accession, pk) for path, size, mtime, accession, pk in rows}
    todo, unchanged = [], []
    for unit in units:
        seen = {_stat_key(path, known) for path in unit.files}
        if len(seen) == 1 and None not in seen:
            accession, pk = seen.pop()
            unchanged.append(
                {"input": unit.name, "outcome": "unchanged", "item": accession, "item_pk": pk}
            )
        else:
            todo.append(unit)
    return todo, unchanged


def _stat_key(path: Path, known: dict) -> tuple[str, int] | None:
    entry = known.get(display(path.absolute()))
    if entry is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    size, mtime, accession, pk = entry
    return (accession, pk) if (info.st_size, info.st_mtime_ns) == (size, mtime) else None


def _recover(archive: Archive) -> bool:
    """After a run that did not finish, remove what it stored but never recorded; True when
    there was such a run."""
    with archive.session() as session:
        if not journal.close_unfinished(session):
            return False
        referenced = set(session.scalars(select(Master.stored_path)))
        archive.masters.sweep(referenced)
        return True


def _passed_entry(passed: Passed) -> dict[str, Any]:
    entry = {
        "input": passed.name,
        "outcome": passed.outcome,
        "step": passed.step,
        "reason": passed.reason,
    }
    if passed.row is not None:
        entry["row"] = passed.row
    return entry


def _options_record(paths: list[Path], options: Options) -> dict[str, Any]:
    return {
        "paths": [display(p.absolute()) for p in paths],
        "type": options.type,
        "access": options.access,
        "languages": options.languages,
        "collection": options.collection,
    }
