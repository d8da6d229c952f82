"""What the catalogue keeps between requests, and how it knows it still holds.

Everything a page shows comes from the database, so what is kept is keyed by the database's
generation: its count of changes, which the unit of work raises in the transaction of every
change to what pages show (an ingest, `archive item set`, an access changed to restricted, in
any process). On SQLite it is read again whenever `PRAGMA data_version` says another connection
has committed; on PostgreSQL, which has no such cheap sign, it is read at every request (one
primary-key row). What was kept under one generation is never handed out under another, so the
first request after a commit sees it: a restricted item's page is not served from a cache even
once. A page is made after the generation it is kept under was read, so it is never older than
its key.

Whole pages are kept gzip-compressed (`Page`), within a budget of bytes: an item page is ~3 kB
that way instead of ~10, so the same memory holds three times as many, and a browser (they all
accept gzip) is sent the kept bytes as they are. The count being the same in every process,
they are also shared with the server's other processes through a file (`archive.shared`)."""

from __future__ import annotations

import gzip
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, event, text

from archive.shared import SharedCache

T = TypeVar("T")


class Generation:
    """The database's generation: its count of changes (the `changes` table, raised by the unit
    of work), the same in every process, or None when the database cannot tell (SQLite in
    memory). On SQLite the count is read again only when `PRAGMA data_version` says another
    connection has committed: that takes microseconds on a connection opened for it alone,
    which never writes. On PostgreSQL it is read each time, in a transaction of its own: a
    commit seen by the request's own queries was made before, so it is counted."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._path = engine.url.database if self._sqlite else None
        self._connection: sqlite3.Connection | None = None
        self._version: int | None = None
        self._count: int | None = None
        self._lock = threading.Lock()
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def __call__(self) -> int | None:
        if not self._sqlite:
            with self._engine.connect() as connection:
                return connection.scalar(text("SELECT count FROM changes WHERE id = 1"))
        if not self._path or self._path == ":memory:":
            return None
        with self._lock:
            if self._connection is None:
                # opened on first use: a server's workers each open their own, after the fork
                self._connection = sqlite3.connect(self._path, check_same_thread=False)
            version = self._connection.execute("PRAGMA data_version").fetchone()[0]
            if version != self._version:
                found = self._connection.execute("SELECT count FROM changes WHERE id = 1")
                self._count, self._version = found.fetchone()[0], version
            return self._count

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
                self._version = None


class Cache:
    """Values weighing at most `size` in all (each weighs 1 unless `weigh` says otherwise), the
    least recently used dropped first; safe between threads."""

    def __init__(self, size: int, weigh: Callable[[Any], int] = lambda _value: 1):
        self.size = size
        self.weight = 0
        self._weigh = weigh
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            old = self._values.pop(key, None)
            if old is not None:
                self.weight -= self._weigh(old)
            self._values[key] = value
            self.weight += self._weigh(value)
            while self.weight > self.size and self._values:
                self.weight -= self._weigh(self._values.popitem(last=False)[1])

    def __len__(self) -> int:
        return len(self._values)


@dataclass(frozen=True)
class Page:
    """A page of HTML, kept gzip-compressed. The compression is the same for the same page in
    every process (no time stamp in it), so its ETag is too."""

    gzipped: bytes

    @classmethod
    def of(cls, html: str) -> Page:
        return cls(gzip.compress(html.encode(), compresslevel=6, mtime=0))

    def html(self) -> bytes:
        return gzip.decompress(self.gzipped)


class Kept:
    """The caches of one app: values made from the database, kept for its generation."""

    def __init__(
        self,
        engine: Engine,
        size: int,
        parts: int,
        page_bytes: int,
        shared: SharedCache | None = None,
    ):
        self.generation = Generation(engine)
        self.values = Cache(size)
        self.parts = Cache(parts)  # small pieces of many pages (an item's card)
        # buys search x4.5 req/s, p99 /2.4, item p99 /1.5 (catalogue_load, 3 paired runs)
        self.pages = Cache(page_bytes, weigh=lambda page: len(page.gzipped))
        self.shared = shared  # pages, for the server's other processes too

    def remember(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept under `key` for the present generation, else `make()` (kept). An
        exception in `make` (an abort(404)) keeps nothing."""
        return self._remember(self.values, key, lambda _generation: make())

    def remember_page(self, key: tuple, make: Callable[[], str]) -> Page:
        """The whole page kept under `key` for the present generation (by this process or,
        through the shared file, another), else `make()`'s."""
        return self._remember(self.pages, key, lambda state: self._shared_page(state, key, make))

    def _shared_page(self, generation: int | None, key: tuple, make: Callable[[], str]) -> Page:
        if self.shared is None or generation is None:
            return Page.of(make())
        found = self.shared.get((generation,), key)
        if found is not None:
            return Page(found)
        page = Page.of(make())
        self.shared.put((generation,), key, page.gzipped)
        return page

    def _remember(self, cache: Cache, key: Hashable, make: Callable[[int | None], T]) -> T:
        """`make` is given the generation read here, so that a value is looked up and kept,
        here and in the shared file, under the one generation."""
        generation = self.generation()
        if generation is None:
            return make(None)
        found = cache.get((generation, key))
        if found is None:
            found = make(generation)
            cache.put((generation, key), found)
        return found

    def remember_parts(
        self, keys: Iterable[Hashable], make: Callable[[list[Hashable]], dict[Hashable, T]]
    ) -> dict[Hashable, T]:
        """The parts kept under `keys` for the present generation; those missing are asked of
        `make` all at once (one query for a page's twenty cards), and kept. A key `make` leaves
        out is left out of the answer."""
        keys = list(keys)
        generation = self.generation()
        if generation is None:
            return make(keys)
        found: dict[Hashable, T] = {}
        missing = []
        for key in keys:
            value = self.parts.get((generation, key))
            if value is None:
                missing.append(key)
            else:
                found[key] = value
        if missing:
            made = make(missing)
            for key, value in made.items():
                self.parts.put((generation, key), value)
            found.update(made)
        return found

    def close(self) -> None:
        self.generation.close()
        if self.shared is not None:
            self.shared.close()
