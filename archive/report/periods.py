"""The periods a report is given by: quarters or years between two dates, each cut to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from archive.errors import InvalidInput

BY = ("quarter", "year")


@dataclass(frozen=True)
class Period:
    label: str  # 2024-Q3, 2024
    start: date
    end: date  # the last day, included

    @property
    def after(self) -> datetime:
        """The first moment after the period: what happened before it is counted in it."""
        return datetime.combine(self.end + timedelta(days=1), time())

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time())


def parse_day(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{what} {value!r} is not a date (2024-01-31)") from None


def split(start: date, end: date, by: str) -> list[Period]:
    """The quarters or years from `start` to `end`, the first and last cut to them."""
    if by not in BY:
        raise InvalidInput(f"by is one of {', '.join(BY)}, not {by!r}")
    if end < start:
        raise InvalidInput(f"the period ends ({end}) before it starts ({start})")
    found, day = [], start
    while day <= end:
        first, last, label = _unit(day, by)
        found.append(Period(label, max(first, start), min(last, end)))
        day = last + timedelta(days=1)
    return found


def _unit(day: date, by: str) -> tuple[date, date, str]:
    if by == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31), str(day.year)
    quarter = (day.month - 1) // 3
    first = date(day.year, quarter * 3 + 1, 1)
    following = date(day.year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1)
    return first, following - timedelta(days=1), f"{day.year}-Q{quarter + 1}"


def months(start: date, end: date) -> list[Period]:
    """The months from `start` to `end`, cut to them (the use of the catalogue is by month)."""
    found, day = [], start
    while day <= end:
        following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        last = following - timedelta(days=1)
        found.append(Period(f"{day:%Y-%m}", max(day, start), min(last, end)))
        day = following
    return found
