"""Counts of what the public looks at: one number per day and page (`DailyViews`), nothing about
who looked. Bookkeeping about the archive, not part of it (as the ingest journal): written beside
units of work, so that a view neither audits nor raises the count of changes the catalogue keys
its kept pages by."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from archive.home import Archive
from archive.models import DailyViews


def count(archive: Archive, route: str, key: str, day: date | None = None) -> None:
    """One more view of the page `key` of the kind `route` (`exhibition`, its slug) today."""
    add(archive, {(day or date.today(), route, key): 1})


Counts = dict[tuple[date, str, str], int]


def add(archive: Archive, counts: Counts) -> None:
    """Add each count to its (day, route, key) row, in one transaction."""
    for _attempt in range(2):  # two processes may make a day's row at once: one wins
        try:
            with archive.session() as session:
                for (day, route, key), more in counts.items():
                    _add(session, day, route, key[:200], more)
            return
        except IntegrityError:
            continue


def _add(session, day: date, route: str, key: str, more: int) -> None:
    where = (DailyViews.day == day, DailyViews.route == route, DailyViews.key == key)
    changed = session.execute(
        update(DailyViews).where(*where).values(count=DailyViews.count + more)
    )
    if changed.rowcount == 0:
        session.add(DailyViews(day=day, route=route, key=key, count=more))
        session.flush()


def totals(archive: Archive, route: str) -> dict[str, int]:
    """Every key's views of the kind `route`, all days together."""
    with archive.session() as session:
        query = (
            select(DailyViews.key, func.sum(DailyViews.count))
            .where(DailyViews.route == route)
            .group_by(DailyViews.key)
        )
        return {key: int(total) for key, total in session.execute(query)}


def by_day(archive: Archive, route: str, key: str) -> list[tuple[date, int]]:
    """The views of one page, day by day, oldest first."""
    with archive.session() as session:
        query = (
            select(DailyViews.day, DailyViews.count)
            .where(DailyViews.route == route, DailyViews.key == key)
            .order_by(DailyViews.day)
        )
        return [(day, views) for day, views in session.execute(query)]
