"""Search results shared by the processes that read one index.

A server runs several worker processes, each with its own memory: a search one of them has
answered would be worked out again by the next that is asked it. Results are therefore also
written to a small SQLite file beside the index, keyed by the commit they were found on (the
index's name and generation, the same in every process) and the search asked, and looked up
there before a search is made. A commit's results are true for as long as it is read, so
nothing has to be told when the index changes: the next commit's key is another, and the rows
of older commits are deleted as new ones arrive.

The file is a cache: a write that meets a lock, or a file that cannot be read, is skipped,
never an error, and deleting it loses nothing. Values are JSON (no pickle: nothing read from a
file is run).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

FILE = "results.sqlite"
KEEP = 20_000  # rows kept: some 5 kB each (a page of hits with snippets, and the facets)
TRIM_EVERY = 500  # writes between two trims


class SharedResults:
    """Values by (commit, key) in one SQLite file, for every process that opens it."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / FILE
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._writes = 0

    def get(self, commit: tuple[str, int], key: tuple, decode: Callable[[Any], Any]) -> Any:
        row = self._run(
            "SELECT value FROM results WHERE commit_ = ? AND key = ?", (_text(commit), _text(key))
        )
        return decode(json.loads(row[0])) if row else None

    def put(self, commit: tuple[str, int], key: tuple, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        self._run(
            "INSERT OR REPLACE INTO results (commit_, key, value) VALUES (?, ?, ?)",
            (_text(commit), _text(key), text),
        )
        self._writes += 1
        if self._writes % TRIM_EVERY == 1:
            self._trim(_text(commit))

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None

    def _trim(self, commit: str) -> None:
        """Rows of other commits go, then the oldest beyond KEEP."""
        self._run("DELETE FROM results WHERE commit_ != ?", (commit,))
        self._run(
            "DELETE FROM results WHERE rowid <= (SELECT MAX(rowid) FROM results) - ?", (KEEP,)
        )

    def _run(self, sql: str, parameters: tuple) -> tuple | None:
        with self._lock:
            try:
                connection = self._connect()
                with connection:
                    return connection.execute(sql, parameters).fetchone()
            except sqlite3.OperationalError:  # busy (another process writes), or read-only
                return None
            except sqlite3.DatabaseError:  # damaged: dropped, the next write starts afresh
                self._drop()
                return None

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _connect(self) -> sqlite3.Connection:
        # One connection per process, opened after a server forks its workers.
        if self._connection is None or self._pid != os.getpid():
            connection = sqlite3.connect(self.path, timeout=0.05, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")  # a cache: a lost write costs nothing
            connection.execute(
                "CREATE TABLE IF NOT EXISTS results "
                "(commit_ TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, "
                "PRIMARY KEY (commit_, key))"
            )
            self._connection, self._pid = connection, os.getpid()
        return self._connection


def _text(value: tuple) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
