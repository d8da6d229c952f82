"""The log of what the public sees change (`PublicChange`), written by the unit of work and read
by harvesters (OAI-PMH, IIIF Change Discovery).

An item is public while its access is `public`. Each committed change to an item is one
activity: `create` when it becomes public (new, or public again), `update` while it stays
public, `delete` when it leaves the public (withdrawn, or made restricted). A restricted item
that was never public is never logged, so no harvester ever learns its id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from archive.models import Item, PublicChange, utcnow

ITEM, EXHIBITION = "item", "exhibition"
Members = Select | list[str] | None  # a set's targets: a query of them, or a list


def log_items(session: Session, now: Iterable[Item], removed: Iterable[str]) -> int:
    """Log the public activity of the items a unit of work changed (`now`, as they are) and
    removed (by accession id); the number of rows written."""
    public = {item.accession_id for item in now if item.shown}
    hidden = {item.accession_id for item in now if not item.shown} | set(removed)
    was = _public_now(session, ITEM, public | hidden)
    rows = [(target, "update" if target in was else "create") for target in sorted(public)]
    rows += [(target, "delete") for target in sorted(hidden - public) if target in was]
    return log(session, ITEM, rows)


def log(session: Session, kind: str, rows: list[tuple[str, str]]) -> int:
    """Write (target, activity) rows of `kind` as the newest state of each target."""
    if not rows:
        return 0
    targets = [target for target, _ in rows]
    session.execute(
        update(PublicChange)
        .where(PublicChange.kind == kind, PublicChange.target.in_(targets), PublicChange.latest)
        .values(latest=False)
    )
    at = utcnow()
    session.add_all(
        PublicChange(kind=kind, target=target, activity=activity, at=at, latest=True)
        for target, activity in rows
    )
    return len(rows)


def _public_now(session: Session, kind: str, targets: set[str]) -> set[str]:
    """Those of `targets` whose latest logged state is public."""
    if not targets:
        return set()
    query = select(PublicChange.target).where(
        PublicChange.kind == kind,
        PublicChange.latest,
        PublicChange.activity != "delete",
        PublicChange.target.in_(targets),
    )
    return set(session.scalars(query))


@dataclass(frozen=True)
class Window:
    """Which latest states a harvest asks for: after row `after`, changed at or after `since`
    and before `before` (UTC)."""

    after: int = 0
    since: datetime | None = None
    before: datetime | None = None


def _latest(kind: str, window: Window) -> Select:
    query = select(PublicChange).where(PublicChange.kind == kind, PublicChange.latest)
    if window.since is not None:
        query = query.where(PublicChange.at >= window.since)
    if window.before is not None:
        query = query.where(PublicChange.at < window.before)
    return query


def latest(
    session: Session,
    kind: str,
    window: Window,
    limit: int,
    within: Members = None,
) -> list[PublicChange]:
    """The latest state of up to `limit` targets in the window, in the order they last changed;
    `within` (a query of target names) narrows them to a set."""
    query = _latest(kind, window).where(PublicChange.id > window.after)
    if within is not None:
        query = query.where(PublicChange.target.in_(within))
    return list(session.scalars(query.order_by(PublicChange.id).limit(limit)))


def count(session: Session, kind: str, window: Window, within: Members = None) -> int:
    """How many targets the whole window holds (`after` aside)."""
    query = _latest(kind, window)
    if within is not None:
        query = query.where(PublicChange.target.in_(within))
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def state(session: Session, kind: str, target: str) -> PublicChange | None:
    """The latest state of one target; None when it was never public."""
    query = select(PublicChange).where(
        PublicChange.kind == kind, PublicChange.target == target, PublicChange.latest
    )
    return session.scalar(query)


def earliest(session: Session, kind: str) -> datetime | None:
    return session.scalar(select(func.min(PublicChange.at)).where(PublicChange.kind == kind))


def log_exhibitions(session: Session, shown: dict[str, datetime]) -> int:
    """Log the exhibitions published now (`shown`: slug -> when its definition last changed)
    against those logged: new ones (or back) `create`, changed since `update`, gone `delete`."""
    query = select(PublicChange).where(PublicChange.kind == EXHIBITION, PublicChange.latest)
    logged = {change.target: change for change in session.scalars(query)}
    rows = []
    for slug, changed in sorted(shown.items()):
        was = logged.get(slug)
        if was is None or was.activity == "delete":
            rows.append((slug, "create"))
        elif changed > was.at:
            rows.append((slug, "update"))
    gone = [slug for slug, was in logged.items() if was.activity != "delete" and slug not in shown]
    return log(session, EXHIBITION, rows + [(slug, "delete") for slug in sorted(gone)])


def page(session: Session, offset: int, limit: int) -> list[PublicChange]:
    """Activities `offset` to `offset + limit` of the whole log, oldest first. Rows are never
    removed, so a page once full stays the same."""
    query = select(PublicChange).order_by(PublicChange.id).offset(offset).limit(limit)
    return list(session.scalars(query))


def total(session: Session) -> int:
    return session.scalar(select(func.count(PublicChange.id))) or 0
