"""Taking an item from the public, and putting it back; and deleting one for good.

A withdrawn item keeps its record, masters and images; the public catalogue answers its
addresses with 410 Gone, naming its title, the reason and how it was cited (a cited address
never just vanishes), and it leaves search, the sitemap and the IIIF Collections. Restoring
puts it back as it was. Purging deletes the record and the masters no other item refers to;
the audit keeps what was purged, by whom and why."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from archive import derivatives, items
from archive.errors import InvalidInput
from archive.models import AuditEntry, AuditUnit, IngestEvent, Item, Master, Page, Source, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from archive.work import UnitOfWork

MAX_REASON = 1000


def withdraw(work: UnitOfWork, accession_id: str, reason: str) -> Item:
    """Withdraw the item from the public, saying why."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("give the reason the item is withdrawn (the public is told it)")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason is longer than {MAX_REASON} characters")
    item = items.find(work.session, accession_id)
    if item.withdrawn_at is not None:
        raise InvalidInput(f"{accession_id} is withdrawn already")
    item.withdrawn_at, item.withdrawn_by, item.withdrawn_reason = utcnow(), work.by, reason
    work.record(accession_id, "withdrawn", None, reason)
    work.removed(accession_id)  # out of search until it is restored
    return item


def restore(work: UnitOfWork, accession_id: str) -> Item:
    """Put a withdrawn item back, as it was."""
    item = items.find(work.session, accession_id)
    if item.withdrawn_at is None:
        raise InvalidInput(f"{accession_id} is not withdrawn")
    work.record(accession_id, "withdrawn", item.withdrawn_reason, None)
    item.withdrawn_at = item.withdrawn_by = item.withdrawn_reason = None
    work.changed(item)
    return item


@dataclass(frozen=True)
class Gone:
    """What the public is told of an item no longer shown: 410 Gone with these."""

    accession_id: str
    title: dict[str, str]
    date: str | None  # EDTF, as the item had it: its citation names it
    reason: str
    at: datetime


def gone(session: Session, accession_id: str) -> Gone | None:
    """The public item `accession_id` when it has been withdrawn or purged; else None (a
    restricted item was never public: it stays unknown to the public)."""
    item = session.scalar(select(Item).where(Item.accession_id == accession_id))
    if item is not None:
        if item.withdrawn_at is None or item.access != "public":
            return None
        reason = item.withdrawn_reason or ""
        return Gone(accession_id, dict(item.title), item.date, reason, item.withdrawn_at)
    return _purged(session, accession_id)


def _purged(session: Session, accession_id: str) -> Gone | None:
    row = session.execute(
        select(AuditEntry.before, AuditUnit.at)
        .join(AuditUnit, AuditEntry.unit_id == AuditUnit.id)
        .where(AuditEntry.target == accession_id, AuditEntry.field == "purged")
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    if row is None or not isinstance(row.before, dict) or row.before.get("access") != "public":
        return None
    kept = row.before
    return Gone(
        accession_id, kept.get("title") or {}, kept.get("date"), kept.get("reason", ""), row.at
    )


def purge(work: UnitOfWork, accession_id: str, confirm: str, reason: str = "") -> list[str]:
    """Delete the item for good, and the masters no other item refers to. `confirm` must be the
    identifier typed again. Returns the files (relative to the home) to delete once committed:
    `discard` does it."""
    if confirm.strip() != accession_id:
        raise InvalidInput(f"type the identifier {accession_id} to confirm the purge")
    session = work.session
    item = items.find(session, accession_id)
    masters = {page.master for page in item.pages}
    others = set(
        session.scalars(
            select(Page.master_id).where(
                Page.master_id.in_([m.id for m in masters]), Page.item_id != item.id
            )
        )
    )
    alone = [m for m in masters if m.id not in others]
    files = [m.stored_path for m in alone]
    only = [p for p in item.pages if p.master in alone]  # images and OCR are kept by content
    files += [derivatives.relative_path(p.master.sha256, p.frame) for p in only]
    files += [t.hocr_path for p in only for t in p.texts if t.hocr_path]
    work.record(accession_id, "purged", _remembered(item, reason, alone), None)
    session.execute(update(IngestEvent).where(IngestEvent.item_id == item.id).values(item_id=None))
    for source in session.scalars(select(Source).where(Source.item_id == item.id)):
        session.delete(source)
    session.delete(item)
    session.flush()
    for master in alone:
        session.delete(master)
    work.removed(accession_id)
    return files


def _remembered(item: Item, reason: str, alone: list[Master]) -> dict:
    """What the audit keeps of a purged item: enough to answer its address and to say what went."""
    return {
        "title": dict(item.title),
        "date": item.date,
        "access": item.access,
        "reason": reason or item.withdrawn_reason or "",
        "masters": sorted(m.sha256 for m in alone),
    }


def discard(home: Path, files: list[str]) -> None:
    """Delete what `purge` named (after its change was committed); what is gone already is
    passed over."""
    for relative in files:
        path = Path(home) / relative
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
