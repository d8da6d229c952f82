"""Fixity: re-hash every master and compare it with what was recorded when it was stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.models import Item, Master, Page
from archive.storage import sha256_of


@dataclass(frozen=True)
class Problem:
    stored_path: str
    sha256: str
    reason: str  # missing | changed | unreadable
    items: tuple[str, ...] = ()  # the accession ids of the items whose pages it holds


def audit(
    session: Session, home: Path, on_each: Callable[[], None] = lambda: None
) -> Iterator[Problem]:
    """Every master that is missing, unreadable or no longer has its recorded hash, with the
    items that use it."""
    for master in session.scalars(select(Master).order_by(Master.id)):
        on_each()
        reason = _check(home / master.stored_path, master.sha256)
        if reason:
            yield Problem(master.stored_path, master.sha256, reason, _users(session, master))


def _check(path: Path, sha256: str) -> str | None:
    if not path.exists():
        return "missing"
    try:
        actual = sha256_of(path)
    except OSError as exc:
        return f"unreadable: {exc.strerror}"
    return f"changed: its SHA-256 is now {actual}" if actual != sha256 else None


def _users(session: Session, master: Master) -> tuple[str, ...]:
    found = session.scalars(
        select(Item.accession_id)
        .join(Page, Page.item_id == Item.id)
        .where(Page.master_id == master.id)
        .distinct()
        .order_by(Item.accession_id)
    )
    return tuple(found)


def count(session: Session) -> int:
    return session.scalar(select(func.count(Master.id)))
