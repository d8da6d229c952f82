"""What a report counts, kept as dated events: an item entering a count (+1, or its pages) when
it was accessioned or changed into it, and leaving it (-1) when it changed out of it. A count as
at the end of a period is the sum of its events before then; the items it counts are those whose
events there sum above nothing. Sorted once, a count is read for any period by bisection, so
quarters and years cost the same as one total."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import datetime
from itertools import accumulate


class Ledger:
    def __init__(self) -> None:
        self.events: dict[str, list[tuple[datetime, int, int]]] = defaultdict(list)
        self._sums: dict[str, tuple[list[datetime], list[int]]] = {}

    def add(self, key: str, at: datetime, item: int, weight: int = 1) -> None:
        self.events[key].append((at, weight, item))

    def _sorted(self, key: str) -> tuple[list[datetime], list[int]]:
        if key not in self._sums:
            events = sorted(self.events.get(key, ()), key=lambda e: e[0])
            times = [at for at, _, _ in events]
            self._sums[key] = times, [0, *accumulate(w for _, w, _ in events)]
        return self._sums[key]

    def before(self, key: str, moment: datetime) -> int:
        """The count of `key` as at `moment` (its events before it)."""
        times, sums = self._sorted(key)
        return sums[bisect_left(times, moment)]

    def between(self, key: str, start: datetime, end: datetime) -> int:
        """The sum of `key`'s events from `start` to before `end`."""
        return self.before(key, end) - self.before(key, start)

    def members(self, key: str, moment: datetime, since: datetime | None = None) -> list[int]:
        """The items `key` counts as at `moment` (or whose events from `since` count)."""
        net: dict[int, int] = defaultdict(int)
        for at, weight, item in self.events.get(key, ()):
            if at < moment and (since is None or at >= since):
                net[item] += weight
        return sorted(item for item, total in net.items() if total > 0)
