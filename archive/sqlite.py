"""The archive home's own SQLite file through the standard library's sqlite3, for what must start
quickly: the schema check of every command, and an ingest run that finds every file already done.
Importing SQLAlchemy and mapping the models take most of such a run (about 0.4 s of it on a
small server), so its few statements are written here in SQL; all else goes through the models,
and the tests check that both write the same journal."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.records import Entry

# The newest migration. Checked against Alembic's own head in the tests; knowing it here spares
# every command the import of Alembic (and of SQLAlchemy) when the schema is already up to date.
SCHEMA_REVISION = "0013"
DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # as SQLAlchemy's DateTime keeps it in SQLite
BUSY_SECONDS = 30.0


def set_pragmas(connection) -> None:
    # WAL lets readers (the catalogue) go on while an ingest writes; a process killed mid-write
    # loses at most its open transaction. Foreign keys are off by default in SQLite.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
    cursor.close()


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the database at `path`, which must exist (it is never made here)."""
    uri = f"{path.absolute().as_uri()}?mode=rw"  # a home may be given as a relative path
    connection = sqlite3.connect(uri, uri=True, timeout=BUSY_SECONDS)
    set_pragmas(connection)
    return connection


def revision(path: Path) -> str | None:
    """The schema's migration; None when there is no database or no schema yet, or it cannot
    be read here (SQLAlchemy and Alembic then look, and say what is wrong)."""
    if not path.exists():
        return None
    try:
        with closing(connect(path)) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def unfinished_runs(connection: sqlite3.Connection) -> bool:
    """Whether a run never finished; journal.close_unfinished then marks it and its masters
    are swept."""
    found = connection.execute("SELECT 1 FROM ingest_runs WHERE status = 'running' LIMIT 1")
    return found.fetchone() is not None


def known_sources(connection: sqlite3.Connection) -> dict[bytes, tuple[int, int, str, int]]:
    """Every registered input path, by its bytes (os.fsencode of the absolute path): its size,
    modification time, item's accession id and key."""
    rows = connection.execute(
        "SELECT sources.key, sources.size, sources.mtime_ns, items.accession_id, items.id "
        "FROM sources JOIN items ON sources.item_id = items.id"
    )
    return {path: (size, mtime, accession, pk) for path, size, mtime, accession, pk in rows}


def start_run(connection: sqlite3.Connection, options: dict[str, Any], events: list[Entry]) -> int:
    """journal.start_run and journal.record, in one transaction."""
    with connection:
        run_id = connection.execute(
            "INSERT INTO ingest_runs (started_at, status, options, counts) "
            "VALUES (?, 'running', ?, '{}')",
            (_now(), json.dumps(options)),
        ).lastrowid
        connection.executemany(
            "INSERT INTO ingest_events "
            "(run_id, path, outcome, item_id, step, reason, warnings, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    entry.input,
                    entry.outcome,
                    entry.item_pk,
                    entry.step,
                    entry.reason,
                    json.dumps(entry.warnings),
                    _now(),
                )
                for entry in events
            ],
        )
    return run_id


def finish_run(connection: sqlite3.Connection, run_id: int, counts: dict[str, int]) -> None:
    """journal.finish_run."""
    with connection:
        connection.execute(
            "UPDATE ingest_runs SET status = 'done', finished_at = ?, counts = ? WHERE id = ?",
            (_now(), json.dumps(counts), run_id),
        )


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).strftime(DATETIME)
