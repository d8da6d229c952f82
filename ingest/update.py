"""Descriptions edited after their files were ingested. A file an earlier run finished is not read
again, but what its sidecar says of it now is compared with the catalogue: a difference is
reported, and applied when the run is asked to (`archive ingest --update-metadata`)."""

from __future__ import annotations

import json

from sqlalchemy import select

from archive import items
from archive.fields import Description
from archive.home import Archive
from archive.models import Item
from archive.records import Entry
from archive.work import UnitOfWork
from ingest.discover import Unit

HOW_TO_APPLY = "`archive ingest --update-metadata` applies it"


def compare(
    archive: Archive, units: list[Unit], unchanged: list[Entry], apply: bool, dry_run: bool
) -> None:
    """Compare the description of each unchanged input with its item, and mark its report entry:
    a warning naming the fields that differ; with `apply`, the outcome `updated` and the changes
    made (`would-update` on a dry run, which writes nothing)."""
    described = {unit.name: unit.description for unit in units if unit.description}
    waiting = [entry for entry in unchanged if entry.input in described]
    if not waiting:
        return
    by_item: dict[int, list[Entry]] = {}
    for entry in waiting:
        by_item.setdefault(entry.item_pk, []).append(entry)
    with archive.change("ingest --update-metadata") as work:  # only what `apply` changed
        session = work.session
        keys = set(by_item)
        found = {item.id: item for item in session.scalars(select(Item).where(Item.id.in_(keys)))}
        for pk, entries in by_item.items():
            if len({_key(described[e.input]) for e in entries}) > 1:
                _conflict(entries, found[pk].accession_id)
                continue
            for entry in entries:  # copies of one file, alike described: the first applies it
                changes = items.differences(found[pk], described[entry.input])
                if changes:
                    _mark(work, entry, found[pk], changes, apply, dry_run)


def _key(description: Description) -> str:
    return json.dumps(description.fields, sort_keys=True, ensure_ascii=False)


def _conflict(entries: list[Entry], accession_id: str) -> None:
    """Copies of one file (one item) that their sidecars describe differently: which is right
    is for the archivist to say; nothing is applied."""
    names = [entry.input for entry in entries]
    for entry in entries:
        others = ", ".join(name for name in names if name != entry.input)
        entry.warnings.append(
            f"the same content as {others} ({accession_id}), described otherwise; make the "
            "descriptions agree"
        )


def _mark(work: UnitOfWork, entry: Entry, item, changes, apply: bool, dry_run: bool) -> None:
    shown = [{"field": name, "old": old, "new": new} for name, old, new in changes]
    if not apply:
        fields = ", ".join(name for name, _, _ in changes)
        warning = f"its description differs from the catalogue in {fields}; {HOW_TO_APPLY}"
        entry.warnings.append(warning)
        entry.differs = shown
        return
    entry.outcome = "would-update" if dry_run else "updated"
    entry.changes = shown
    if not dry_run:
        items.apply_changes(item, changes)
        items.changed(work, item, changes)
