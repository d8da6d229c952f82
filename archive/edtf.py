"""Dates as archivists write them (EDTF, Level 0 and the common Level 1 forms), kept as written,
with the range of years they cover so items can be sorted and filtered by year."""

from __future__ import annotations

import calendar
import re

from archive.errors import InvalidInput

_DATE = re.compile(
    r"^(?P<year>\d{4}|\d{3}X|\d{2}XX)(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?"
    r"(?P<qualifier>[?~%])?$"
)


def _not_edtf(text: str) -> InvalidInput:
    return InvalidInput(
        f"{text!r} is not an EDTF date (such as 1975, 199X, 1975-04, 2023-05-05 or 1975/1980)"
    )


def _single(text: str) -> tuple[int, int]:
    match = _DATE.match(text)
    if not match:
        raise _not_edtf(text)
    year, month, day = match["year"], match["month"], match["day"]
    if "X" in year:
        if month:
            raise InvalidInput(f"{text!r}: a month needs a full year")
        start = int(year.replace("X", "0"))
        return start, int(year.replace("X", "9"))
    if month:
        m = int(month)
        if not 1 <= m <= 12:
            raise InvalidInput(f"{text!r}: month {m} does not exist")
        if day and not 1 <= int(day) <= calendar.monthrange(int(year), m)[1]:
            raise InvalidInput(f"{text!r}: day {int(day)} does not exist in that month")
    return int(year), int(year)


def year_range(text: str) -> tuple[int | None, int | None]:
    """The first and last year an EDTF date covers.

    '199X' -> (1990, 1999); '1975/..' -> (1975, None)."""
    text = text.strip()
    if "/" not in text:
        return _single(text)
    first, _, last = text.partition("/")
    if not all(_DATE.match(side) or side in ("", "..") for side in (first, last)):
        raise _not_edtf(text)
    start = None if first in ("", "..") else _single(first)[0]
    end = None if last in ("", "..") else _single(last)[1]
    if start is None and end is None:
        raise InvalidInput(f"{text!r}: an interval needs at least one end")
    if start is not None and end is not None and end < start:
        raise InvalidInput(f"{text!r}: the interval ends before it starts")
    return start, end
