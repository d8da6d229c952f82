"""What the processes of a server keep for each other: values worked out once (a rendered
page) and shared through a small SQLite file.

A server runs several worker processes, each with its own memory: what one of them has made
would be made again by the next that is asked for it. So it is also written to the file, keyed
by the state it was made from (the database's count of changes: the same in every process)
and what was asked, and looked up there first. A value made from a state holds for as long as
that state is read, so nothing has to be told when it changes: the next state's
key is another, and rows of older states are deleted as new ones arrive.

The file is a cache: a write that finds another process writing is skipped at once (nobody
waits for a cache), as is a file that cannot be read, never an error; deleting it loses
nothing. Each thread has its own connection, so a thread that writes never holds up one that
reads (SQLite's WAL: readers do not wait for writers). Values are bytes (no pickle: nothing
read from a file is run).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

TRIM_EVERY = 500  # writes between two trims


class SharedCache:
    """Bytes by (state, key) in one SQLite file, for every process that opens it; at most
    `keep` rows, the oldest dropped first."""

    def __init__(self, path: Path, keep: int):
        self.path = Path(path)
        self.keep = keep
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()  # of _opened and _writes
        self._writes = 0

    def get(self, state: tuple, key: tuple) -> bytes | None:
        found = self._run(
            "SELECT value FROM kept WHERE state = ? AND key = ?", (_text(state), _text(key))
        )
        return found[0] if found else None

    def put(self, state: tuple, key: tuple, value: bytes) -> None:
        self._run(
            "INSERT OR REPLACE INTO kept (state, key, value) VALUES (?, ?, ?)",
            (_text(state), _text(key), value),
        )
        with self._lock:
            self._writes += 1
            trim = self._writes % TRIM_EVERY == 1
        if trim:
            self._trim(_text(state))

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()
        self._local = threading.local()

    def _trim(self, state: str) -> None:
        """Rows of other states go, then the oldest beyond `keep`."""
        self._run("DELETE FROM kept WHERE state != ?", (state,))
        self._run("DELETE FROM kept WHERE rowid <= (SELECT MAX(rowid) FROM kept) - ?", (self.keep,))

    def _run(self, sql: str, parameters: tuple) -> tuple | None:
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
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _connect(self) -> sqlite3.Connection:
        # A connection per thread and process (a server forks its workers after opening).
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            connection = sqlite3.connect(self.path, timeout=0, check_same_thread=False)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=OFF")  # a lost write costs nothing
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS kept (state TEXT NOT NULL, key TEXT NOT NULL, "
                    "value BLOB NOT NULL, PRIMARY KEY (state, key))"
                )
            except sqlite3.Error:
                connection.close()
                raise
            local.connection, local.pid = connection, os.getpid()
            with self._lock:
                self._opened.append(connection)
        return local.connection


def _text(value: tuple) -> str:
    # repr: the same text in every process for tuples of text, bytes, numbers and None
    return repr(value)
