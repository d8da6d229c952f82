"""Dates and numbers as files embed them, parsed: a date as EXIF, XMP, IPTC or a PDF writes it,
into EDTF and an ISO date-time; GPS degrees, minutes and seconds into signed decimal degrees; an
EXIF or XMP orientation. Pure functions, tested without files. Each date parser returns (EDTF date,
ISO date-time or None), (None, None) for a blank value; every parser raises ValueError for
garbage ("is not a date"), which `ingest.metadata` reports as a warning."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Protocol

# ---------------------------------------------------------------------------------------------
# Dates

_EXIF_DATE = re.compile(
    r"(\d{4})[:\-/.](\d{2})[:\-/.](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?(?:\.\d+)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?"
)
_ISO_DATE = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?"
)
_IPTC_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_IPTC_TIME = re.compile(r"(\d{2})(\d{2})(\d{2})(?:[+-]\d{4})?")
_PDF_DATE = re.compile(
    r"(?:D:)?(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?)?)?"
    r"(?:[Zz+-][\d']*)?"  # the UTC offset, "+02'00'", "Z00'00'" and variants, is dropped
)


def edtf(
    year: str,
    month: str | None = None,
    day: str | None = None,
    hour: str | None = None,
    minute: str | None = None,
    second: str | None = None,
) -> tuple[str, str | None]:
    """Date parts as written (a month or day of "00" means unknown) -> (EDTF, ISO date-time).
    The time is kept only with a full date. Raises ValueError for a date that does not exist."""
    y, m, d = int(year), int(month or 0), int(day or 0)
    if y == 0 or (m == 0 and d != 0):
        raise ValueError("is not a date")
    try:
        if m == 0:
            return f"{y:04d}", None
        if d == 0:
            datetime.date(y, m, 1)
            return f"{y:04d}-{m:02d}", None
        date = datetime.date(y, m, d)
        if hour is None:
            return date.isoformat(), None
        time = datetime.time(int(hour), int(minute or 0), int(second or 0))
    except ValueError:
        raise ValueError("is not a date") from None
    return date.isoformat(), f"{date.isoformat()}T{time.isoformat()}"


def _parse(pattern: re.Pattern[str], text: str | None) -> tuple[str | None, str | None]:
    text = (text or "").replace("\x00", "").strip()
    if not text.strip(" :-T"):
        return None, None  # blank, or the EXIF way of writing "unknown": "    :  :     :  :  "
    match = pattern.fullmatch(text)
    if not match:
        raise ValueError("is not a date")
    return edtf(*match.groups())


def exif_date(text: str | None) -> tuple[str | None, str | None]:
    """EXIF "2008:05:30 15:56:01" -> ("2008-05-30", "2008-05-30T15:56:01")."""
    return _parse(_EXIF_DATE, text)


def xmp_date(text: str | None) -> tuple[str | None, str | None]:
    """XMP (ISO 8601) "2008-05-30T15:56:01+02:00" -> ("2008-05-30", "2008-05-30T15:56:01"); "2008"
    -> ("2008", None). The UTC offset is dropped, as EXIF times carry none."""
    return _parse(_ISO_DATE, text)


def iptc_date(date: str | None, time: str | None = None) -> tuple[str | None, str | None]:
    """IPTC DateCreated "20080530" (+ TimeCreated "155601+0200") -> EDTF and ISO date-time."""
    day, _ = _parse(_IPTC_DATE, date)
    if day is None or time is None or len(day) < 10:
        return day, None
    match = _IPTC_TIME.fullmatch(time.strip())
    if not match:
        raise ValueError("is not a date")
    return edtf(*day.split("-"), *match.groups())


def pdf_date(text: str | None) -> tuple[str | None, str | None]:
    """PDF "D:20080530155601+02'00'" -> ("2008-05-30", "2008-05-30T15:56:01")."""
    return _parse(_PDF_DATE, text)


# ---------------------------------------------------------------------------------------------
# Numbers


class Rational(Protocol):
    numerator: int
    denominator: int


def dms_to_decimal(dms: Sequence[Rational], ref: str | None, axis: str) -> float:
    """GPS degrees, minutes, seconds (each a rational) and hemisphere -> signed decimal degrees.
    `axis` is "latitude" or "longitude". Raises ValueError for anything impossible."""
    refs, limit = ({"N": 1, "S": -1}, 90) if axis == "latitude" else ({"E": 1, "W": -1}, 180)
    sign = refs.get((ref or "").strip().upper())
    if sign is None:
        raise ValueError(f"has no hemisphere reference (got {ref!r})")
    if not 1 <= len(dms) <= 3:
        raise ValueError("is not degrees, minutes, seconds")
    parts = []
    for part in dms:
        numerator = getattr(part, "numerator", None)
        denominator = getattr(part, "denominator", None)
        if not isinstance(numerator, int) or not isinstance(denominator, int):
            raise ValueError("is not made of rational numbers")
        if denominator == 0:
            raise ValueError("has a zero denominator")
        parts.append(numerator / denominator)
    value = sum(p / 60**i for i, p in enumerate(parts))
    if any(p < 0 for p in parts) or any(p >= 60 for p in parts[1:]) or value > limit:
        raise ValueError(f"is not a {axis}")
    return sign * value


def orientation(value: object) -> int:
    """An EXIF/XMP orientation (1..8); raises ValueError for anything else."""
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError("is not an orientation (1-8)") from None
    if not 1 <= number <= 8:
        raise ValueError("is not an orientation (1-8)")
    return number
