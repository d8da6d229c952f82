"""Accession identifiers: PREFIX-YEAR-NNNNNN, given out in order and never reused."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from archive.models import Counter

PATTERN = re.compile(r"^[A-Z0-9]{1,8}-\d{4}-\d{6}$")


def next_id(session: Session, prefix: str, year: int) -> str:
    """The next identifier; taken inside the caller's transaction, so a rolled-back batch gives
    its numbers back and a resumed run carries on where the last commit left off."""
    key = f"{prefix}-{year}"
    counter = session.get(Counter, key)
    if counter is None:
        counter = Counter(key=key, value=0)
        session.add(counter)
    counter.value += 1
    return f"{key}-{counter.value:06d}"
