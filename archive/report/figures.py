"""What a plan's report is made of: figures (a value per period, with its definition), sections
of them, the report itself, and the counter that makes figures from the ledger's events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from archive.report.definitions import STOCK, texts
from archive.report.ledger import Ledger
from archive.report.periods import Period
from archive.report.plan import Band, Plan

LanguageMap = dict[str, str]
FORMAT_VERSION = 1


@dataclass
class Figure:
    id: str
    label: LanguageMap
    definition: LanguageMap
    unit: str  # items | pages | units | metres | percent | exhibitions | visitors | views
    values: list[float]  # one per period
    total: float  # over the whole range: as at its end, or within it
    stock: bool = True  # as at the end of a period; else within it
    band: Band | None = None
    key: str | None = None  # the ledger key of the items it counts

    def status(self, value: float | None) -> str | None:
        """within, under or over the band; None without a band or a value."""
        if self.band is None or value is None:
            return None
        low, high = self.band
        return "under" if value < low else "over" if value > high else "within"


@dataclass
class Section:
    id: str
    title: LanguageMap
    figures: list[Figure] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # a table: exhibitions, months


@dataclass
class Report:
    plan: Plan
    start: date
    end: date
    by: str
    periods: list[Period]
    sections: list[Section]
    generated: datetime
    public_only: bool
    ledger: Ledger

    @property
    def whole(self) -> Period:
        return Period(f"{self.start}/{self.end}", self.start, self.end)

    def figure(self, figure_id: str) -> Figure | None:
        return next((f for s in self.sections for f in s.figures if f.id == figure_id), None)

    def members(self, figure: Figure, period: Period) -> list[int]:
        """The ids of the items `figure` counts in `period`."""
        if figure.key is None:
            return []
        since = None if figure.stock else period.since
        return self.ledger.members(figure.key, period.after, since)


@dataclass
class Counter:
    ledger: Ledger
    periods: list[Period]
    whole: Period

    def stock(self, fid, kind, unit="items", key=None, names=None, band=None) -> Figure:
        key = key or fid
        label, definition = texts(kind, names)
        definition = {lang: f"{text} {STOCK.get(lang, '')}" for lang, text in definition.items()}
        values = [self.ledger.before(key, p.after) for p in self.periods]
        total = self.ledger.before(key, self.whole.after)
        return Figure(fid, label, definition, unit, values, total, True, band, key)

    def flow(self, fid, kind, unit="items", key=None, names=None) -> Figure:
        key = key or fid
        label, definition = texts(kind, names)
        values = [self.ledger.between(key, p.since, p.after) for p in self.periods]
        total = self.ledger.between(key, self.whole.since, self.whole.after)
        return Figure(fid, label, definition, unit, values, total, False, None, key)

    def constant(self, fid, kind, unit, value, names) -> Figure:
        """A figure the archive keeps no history of (an extent): its value now, every period."""
        label, definition = texts(kind, names)
        return Figure(fid, label, definition, unit, [value for _ in self.periods], value, True)

    def share(self, fid, kind, part: Figure, whole: Figure, names=None, band=None) -> Figure:
        label, definition = texts(kind, names)
        values = [_percent(a, b) for a, b in zip(part.values, whole.values, strict=True)]
        total = _percent(part.total, whole.total)
        return Figure(fid, label, definition, "percent", values, total, True, band, part.key)


def _percent(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 2) if whole else None
