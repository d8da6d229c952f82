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
    day = day or date.today()
    where = (DailyViews.day == day, DailyViews.route == route, DailyViews.key == key[:200])
    for _attempt in range(2):  # two processes may make the day's row at once: one wins
        try:
            with archive.session() as session:
                changed = session.execute(
                    update(DailyViews).where(*where).values(count=DailyViews.count + 1)
                )
                if changed.rowcount == 0:
                    session.add(DailyViews(day=day, route=route, key=key[:200], count=1))
            return
        except IntegrityError:
            continue


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
