"""The use of the online catalogue counted without anything personal: how many item pages,
searches and manifests were asked for each day (and of which item), never by whom. Counted in
memory by each server process and written now and then in one transaction (`archive.views`),
so that a request costs a dictionary update, not a write to the database."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date

from archive import views
from archive.home import Archive

ROUTES = ("item", "search", "manifest")
EVERY = 60.0  # seconds between writes at most, while the catalogue is used
MOST = 1000  # requests counted before a write, whatever the time


class Tally:
    def __init__(self, archive: Archive, every: float = EVERY, most: int = MOST):
        self.archive, self.every, self.most = archive, every, most
        self.pending: Counter[tuple[date, str, str]] = Counter()
        self.counted = 0  # requests in `pending`
        self.lock = threading.Lock()
        self.written = time.monotonic()
        self.writing = False

    def count(self, route: str, key: str = "") -> None:
        """One more request of `route` (of the item `key`; "" for a search)."""
        with self.lock:
            self.pending[(date.today(), route, key)] += 1
            self.counted += 1
            due = self._due()
        if due:  # written beside the request, which does not wait for the database
            threading.Thread(target=self.flush, daemon=True).start()

    def _due(self) -> bool:
        waited = time.monotonic() - self.written >= self.every
        if self.writing or not (waited or self.counted >= self.most):
            return False
        self.writing = True
        return True

    def flush(self) -> None:
        """Write what was counted (also when the process ends)."""
        with self.lock:
            taken, self.pending, self.counted = self.pending, Counter(), 0
            self.written = time.monotonic()
        try:
            if taken:
                views.add(self.archive, dict(taken))
        except Exception:  # the database is away: the counts wait for the next write
            with self.lock:
                self.pending.update(taken)
                self.counted += taken.total()
            raise
        finally:
            with self.lock:
                self.writing = False
