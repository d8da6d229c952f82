"""Reading the audit trail: who changed what, when, before and after. Entries are written by the
unit of work (`archive.work`) and never edited or deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import AuditEntry, AuditUnit

LIMIT = 1000


@dataclass(frozen=True)
class Entry:
    id: int
    unit: int
    at: datetime
    by: str
    action: str
    kind: str
    target: str
    field: str
    before: Any
    after: Any

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "at": self.at.isoformat() + "Z",
            "by": self.by,
            "action": self.action,
            "kind": self.kind,
            "target": self.target,
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }


def entries(
    session: Session,
    *,
    target: str | None = None,
    by: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = LIMIT,
    offset: int = 0,
) -> list[Entry]:
    """Audit entries, newest first, filtered by what is given; `offset` of them skipped."""
    query = select(AuditEntry, AuditUnit).join(AuditUnit, AuditEntry.unit_id == AuditUnit.id)
    if target is not None:
        query = query.where(AuditEntry.target == target)
    if by is not None:
        query = query.where(AuditUnit.by == by)
    if action is not None:
        query = query.where(AuditUnit.action == action)
    if since is not None:
        query = query.where(AuditUnit.at >= since)
    if until is not None:
        query = query.where(AuditUnit.at < until)
    query = query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return [_entry(entry, unit) for entry, unit in session.execute(query)]


def entry(session: Session, entry_id: int) -> Entry | None:
    """The entry `entry_id`, or None."""
    found = session.execute(
        select(AuditEntry, AuditUnit)
        .join(AuditUnit, AuditEntry.unit_id == AuditUnit.id)
        .where(AuditEntry.id == entry_id)
    ).first()
    return _entry(*found) if found else None


def actions(session: Session) -> list[str]:
    """Every kind of change the trail holds (`item set`, `ingest`, ...), in order."""
    return list(session.scalars(select(AuditUnit.action).distinct().order_by(AuditUnit.action)))


def _entry(entry: AuditEntry, unit: AuditUnit) -> Entry:
    return Entry(
        entry.id,
        unit.id,
        unit.at,
        unit.by,
        unit.action,
        entry.kind,
        entry.target,
        entry.field,
        entry.before,
        entry.after,
    )
