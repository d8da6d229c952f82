"""Section 5 of a plan's report: the exhibitions held, with partner, venue, dates, the items and
pages they show, visitors at the venue and views of their online page."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import PublishedExhibition
from archive.report.data import Holdings, daily_counts
from archive.report.definitions import texts
from archive.report.figures import Figure
from archive.report.periods import Period

if TYPE_CHECKING:
    from archive.report.figures import Counter

VIEWS = "exhibition"  # the route the catalogue counts an exhibition's page under


def exhibition_rows(
    session: Session, holdings: Holdings, whole: Period, public_only: bool
) -> list[dict[str, Any]]:
    """Every published exhibition (archived ones too, unless `public_only`) whose dates overlap
    `whole`, by start date."""
    # the definitions' reader, not exhibitions.publish: that brings IIIF and takes seconds to import
    from exhibitions.definition import parse

    pages = {item.accession_id: item.pages for item in holdings.items.values()}
    views = _views(session, whole)
    rows = []
    for row in session.scalars(select(PublishedExhibition)):
        shown, problems = parse(row.definition, Path(row.file))
        if problems or shown is None or (public_only and not _public(shown, row)):
            continue
        start = shown.start or row.published_at.date()
        end = shown.end or start
        if end < whole.start or start > whole.end:
            continue
        entries = shown.entries()
        rows.append(
            {
                "slug": shown.id,
                "title": dict(shown.title),
                "partner": dict(shown.partner),
                "venue": dict(shown.venue),
                "start": start.isoformat(),
                "end": end.isoformat(),
                "items": len({entry.item for entry in entries}),
                "pages": sum(len(e.pages) or pages.get(e.item, 0) for e in entries),
                "visitors": row.visitors,
                "views": sum(count for day, count in views.get(shown.id, [])),
            }
        )
    rows.sort(key=lambda r: (r["start"], r["slug"]))
    return rows


def _public(shown, row: PublishedExhibition) -> bool:
    return shown.access == "public" and row.state == "published"


def _views(session: Session, whole: Period) -> dict[str, list[tuple[date, int]]]:
    found: dict[str, list[tuple[date, int]]] = {}
    for day, _route, key, count in daily_counts(session, (VIEWS,), whole.start, whole.end):
        found.setdefault(key, []).append((day, count))
    return found


def exhibitions_figures(
    counter: Counter, rows: list[dict[str, Any]], session: Session
) -> list[Figure]:

    def held(period: Period) -> int:
        return sum(_overlaps(row, period) for row in rows)

    def visitors(period: Period) -> int:
        return sum(row["visitors"] or 0 for row in rows if _ends_in(row, period))

    figures = []
    for kind, unit, count in (
        ("exhibitions.held", "exhibitions", held),
        ("exhibitions.visitors", "visitors", visitors),
    ):
        label, definition = texts(kind)
        values = [count(period) for period in counter.periods]
        figures.append(Figure(kind, label, definition, unit, values, count(counter.whole), False))
    _enter_views(counter, session)
    views = counter.flow("exhibitions.views", "exhibitions.views", "views")
    views.key = None  # counts of page views, not of items
    return [*figures, views]


def _overlaps(row: dict[str, Any], period: Period) -> bool:
    return row["start"] <= period.end.isoformat() and row["end"] >= period.start.isoformat()


def _ends_in(row: dict[str, Any], period: Period) -> bool:
    return period.start.isoformat() <= row["end"] <= period.end.isoformat()


def _enter_views(counter: Counter, session: Session) -> None:
    """Every day's views of every exhibition page in the report's range, into its ledger."""
    whole = counter.whole
    for day, _route, _key, count in daily_counts(session, (VIEWS,), whole.start, whole.end):
        at = datetime.combine(day, datetime.min.time())
        counter.ledger.add("exhibitions.views", at, 0, count)
