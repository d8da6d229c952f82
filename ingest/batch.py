"""An ingest run: discover the inputs, skip what an earlier run finished, prepare the rest in
worker processes, and register the results from this process alone, in batched transactions,
each batch together with its journal events. A run killed at any moment leaves committed batches
whole; the next run sweeps away masters no record refers to and carries on.

`ingest.register` (the models, and so SQLAlchemy) is imported only where a run needs it: a run
that finds every file already done reads and writes the home's SQLite file through sqlite3, and
takes a fraction of the time to start (unless a sidecar describes such a file: its description
is compared with the item, see `ingest.update`)."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import sqlite
from archive.home import Archive
from archive.records import Entry
from ingest.copies import settle
from ingest.describe import Options
from ingest.discover import Passed, Unit, discover
from ingest.names import display, path_key, printable
from ingest.pipeline import Prepared, StepContext, prepare


@dataclass
class Report:
    entries: list[Entry] = field(default_factory=list)
    run_id: int | None = None
    dry_run: bool = False

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(entry.outcome for entry in self.entries)
        with_warnings = sum(1 for entry in self.entries if entry.warnings)
        if with_warnings:
            counted["with_warnings"] = with_warnings
        return dict(counted)

    @property
    def exit_code(self) -> int:
        """1 when an input failed or had metadata that had to be dropped, else 0."""
        troubled = any(e.outcome == "failed" or e.warnings for e in self.entries)
        return 1 if troubled else 0

    def as_json(self) -> dict[str, Any]:
        inputs = [entry.as_json() for entry in self.entries]
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
    update_metadata: bool = False,
    on_start: Callable[[int, str], None] = lambda total, first="": None,
    on_done: Callable[[str], None] = lambda now_on="": None,
    on_committed: Callable[[bool], None] = lambda recovered: None,
) -> Report:
    """Ingest `paths`. `on_start(total, first)` and `on_done(now_on)` follow the inputs: how
    many, and after each one done, the name of the one the run waits for now ("" after the
    last). Each batch is written in a unit of work; `on_committed(recovered)` runs once all are
    committed, before the run is marked done, told whether an earlier run had stopped part-way
    (whose work the index, say, may lack). Descriptions that differ from the catalogue are
    reported, and applied with `update_metadata`."""
    report = Report(dry_run=dry_run)
    recovered = False
    settings = archive.settings
    workers = workers or settings["workers"] or os.cpu_count() or 1
    # With a broker, pages are read and their images made by `archive worker`s, as jobs.
    queued = bool(settings["broker_url"]) and not dry_run
    context = StepContext(
        settings["max_image_pixels"],
        settings["max_pages"],
        None if dry_run else archive.masters.root,
        requested_type=options.type,
        languages=options.languages,
        read_photos=options.read_photos,
        ocr_timeout=settings["ocr_timeout"],
        ocr_root=None if dry_run or queued else archive.home / "ocr",
        derivatives_root=None
        if dry_run or queued or not settings["images_at_ingest"]
        else archive.home / "derivatives",
    )
    with nullcontext() if dry_run else archive.writer_lock("ingest"), _quick(archive) as quick:
        if not dry_run:
            recovered = _recover(archive, quick)
        found = discover(paths, options.default_lang, metadata_csv)
        report.entries += [_passed_entry(p) for p in found.passed]
        todo, unchanged = _split(found.units, _known(archive, quick))
        todo = settle(todo)  # copies described differently fail before any is stored
        report.entries += unchanged
        if any(unit.description for unit in found.units):  # else no need of SQLAlchemy
            from ingest import update

            update.compare(archive, found.units, unchanged, update_metadata, dry_run)
        names = [entry.input for entry in unchanged] + [unit.name for unit in todo]
        upcoming = iter([*names[1:], ""])  # results come in order: the next is waited for
        on_start(len(found.units), names[0] if names else "")
        for _ in unchanged:
            on_done(next(upcoming))
        if quick is not None and not todo and not dry_run:
            _journal_only(quick, report, _options_record(paths, options), recovered, on_committed)
            return report
        from archive import journal  # only now: see the module's docstring
        from ingest.register import Writer
        from ingest.workers import ordered_map  # multiprocessing's modules likewise

        with _sender(archive, queued) as send:
            if send and recovered:
                from archive import jobs

                with archive.session() as session:
                    send(jobs.interrupted(session))
            if not dry_run:
                with archive.session() as session:
                    report.run_id = journal.start_run(session, _options_record(paths, options))
                    journal.record(session, report.run_id, report.entries)
            writer = Writer(archive, options, report.run_id, dry_run, send)
            prepare_one = functools.partial(prepare, context=context)
            for _unit, prepared in ordered_map(prepare_one, todo, workers, _crashed):
                report.entries += writer.add(prepared)
                on_done(next(upcoming))
            report.entries += writer.flush()
        if not dry_run:
            on_committed(recovered)
            with archive.session() as session:
                journal.finish_run(session, report.run_id, report.counts)
    return report


@contextmanager
def _sender(archive: Archive, queued: bool):
    """What sends a batch's jobs to the broker once the batch is committed (None without one);
    a broker that cannot be reached stops the run before any work."""
    if not queued:
        yield None
        return
    from ingest.job_queue import Sender

    sender = Sender(archive.settings)
    try:
        sender.check()
        yield sender
    finally:
        sender.close()


def planned(entry: Entry) -> str | None:
    """The line a dry run prints of an input it would make an item of: the title and access the
    item would get, and the sidecar that says so."""
    if entry.outcome != "would-create":
        return None
    title = next(iter((entry.title or {}).values()), "")
    source = f"described by {entry.described_by}" if entry.described_by else "no sidecar"
    return printable(f"would create {entry.input}: “{title}”, {entry.access}, {source}")


def _journal_only(quick, report: Report, options: dict, recovered: bool, on_committed) -> None:
    """The run's journal, when every input was done already or passed over: nothing else to
    write, so no SQLAlchemy; the same rows, and the same order of commits, as `run` makes."""
    report.run_id = sqlite.start_run(quick, options, report.entries)
    on_committed(recovered)
    sqlite.finish_run(quick, report.run_id, report.counts)


@contextmanager
def _quick(archive: Archive) -> Iterator[sqlite3.Connection | None]:
    """A sqlite3 connection to the home's own database; None when the settings name another."""
    if archive.sqlite_path is None:
        yield None
        return
    with closing(sqlite.connect(archive.sqlite_path)) as connection:
        yield connection


def _recover(archive: Archive, quick: sqlite3.Connection | None) -> bool:
    """After a run that did not finish, remove what it stored but never recorded; True when
    there was such a run."""
    if quick is not None and not sqlite.unfinished_runs(quick):
        return False
    from ingest.register import recover

    return recover(archive)


def _known(archive: Archive, quick: sqlite3.Connection | None) -> dict:
    if quick is not None:
        return sqlite.known_sources(quick)
    from ingest.register import known_sources

    return known_sources(archive)


def _crashed(unit: Unit) -> Prepared:
    return Prepared(
        unit,
        failed_step="identify",
        reason="the image reader crashed on this file; it is damaged or hostile",
    )


def _split(units: list[Unit], known: dict) -> tuple[list[Unit], list[Entry]]:
    """Units that need work, and entries for those an earlier run finished (same path, size and
    modification time as when they were registered): those are not read again."""
    todo, unchanged = [], []
    for unit in units:
        seen = {_stat_key(path, known) for path in unit.files}
        if len(seen) == 1 and None not in seen:
            accession, pk = seen.pop()
            unchanged.append(Entry(unit.name, "unchanged", item=accession, item_pk=pk))
        else:
            todo.append(unit)
    return todo, unchanged


def _stat_key(path: Path, known: dict) -> tuple[str, int] | None:
    entry = known.get(path_key(path))
    if entry is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    size, mtime, accession, pk = entry
    return (accession, pk) if (info.st_size, info.st_mtime_ns) == (size, mtime) else None


def _passed_entry(passed: Passed) -> Entry:
    return Entry(
        passed.name, passed.outcome, step=passed.step, reason=passed.reason, row=passed.row
    )


def _options_record(paths: list[Path], options: Options) -> dict[str, Any]:
    return {
        "paths": [display(p.absolute()) for p in paths],
        "type": options.type,
        "access": options.access,
        "languages": options.languages,
        "collection": options.collection,
    }
