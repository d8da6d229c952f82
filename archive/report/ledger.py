"""What a report counts, kept as dated events: an item entering a count (+1, or its pages) when
it was accessioned or changed into it, and leaving it (-1) when it changed out of it. A count as
at the end of a period is the sum of its events before then; the items it counts are those whose
events there sum above nothing. Sorted once (events added in time order need no sorting), a
count is read for any period by bisection, so quarters and years cost the same as one total."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import datetime
from itertools import accumulate


class _Events:
    __slots__ = ("items", "ordered", "sums", "times", "weights")

    def __init__(self) -> None:
        self.times: list[datetime] = []
        self.weights: list[int] = []
        self.items: list[int] = []
        self.ordered = True
        self.sums: list[int] | None = None

    def add(self, at: datetime, item: int, weight: int) -> None:
        if self.times and at < self.times[-1]:
            self.ordered = False
        self.times.append(at)
        self.weights.append(weight)
        self.items.append(item)
        self.sums = None

    def summed(self) -> tuple[list[datetime], list[int]]:
        if self.sums is None:
            if not self.ordered:
                order = sorted(range(len(self.times)), key=self.times.__getitem__)
                self.times = [self.times[n] for n in order]
                self.weights = [self.weights[n] for n in order]
                self.items = [self.items[n] for n in order]
                self.ordered = True
            self.sums = [0, *accumulate(self.weights)]
        return self.times, self.sums


class Ledger:
    def __init__(self) -> None:
        self.events: dict[str, _Events] = defaultdict(_Events)

    def add(self, key: str, at: datetime, item: int, weight: int = 1) -> None:
        self.events[key].add(at, item, weight)

    def before(self, key: str, moment: datetime) -> int:
        """The count of `key` as at `moment` (its events before it)."""
        if key not in self.events:
            return 0
        times, sums = self.events[key].summed()
        return sums[bisect_left(times, moment)]

    def between(self, key: str, start: datetime, end: datetime) -> int:
        """The sum of `key`'s events from `start` to before `end`."""
        return self.before(key, end) - self.before(key, start)

    def members(self, key: str, moment: datetime, since: datetime | None = None) -> list[int]:
        """The items `key` counts as at `moment` (or whose events from `since` count)."""
        if key not in self.events:
            return []
        events = self.events[key]
        times, _sums = events.summed()
        first = 0 if since is None else bisect_left(times, since)
        net: dict[int, int] = defaultdict(int)
        for n in range(first, bisect_left(times, moment)):
            net[events.items[n]] += events.weights[n]
        return sorted(item for item, total in net.items() if total > 0)
