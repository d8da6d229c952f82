"""Fixity: re-hash every master and compare it with what was recorded when it was stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.models import Master
from archive.storage import sha256_of


@dataclass(frozen=True)
class Problem:
    stored_path: str
    sha256: str
    reason: str  # missing | changed | unreadable


def audit(
    session: Session, home: Path, on_each: Callable[[], None] = lambda: None
) -> Iterator[Problem]:
    """Every master that is missing, unreadable or no longer has its recorded hash."""
    for master in session.scalars(select(Master).order_by(Master.id)):
        path = home / master.stored_path
        on_each()
        if not path.exists():
            yield Problem(master.stored_path, master.sha256, "missing")
            continue
        try:
            actual = sha256_of(path)
        except OSError as exc:
            yield Problem(master.stored_path, master.sha256, f"unreadable: {exc.strerror}")
            continue
        if actual != master.sha256:
            yield Problem(
                master.stored_path, master.sha256, f"changed: its SHA-256 is now {actual}"
            )


def count(session: Session) -> int:
    return session.scalar(select(func.count(Master.id)))
