"""A metadata.csv read back as updates to the items it names, from the staff workspace: read by
ingest's own reader (`ingest.sidecar`), each row compared with its item by `items.differences`
and applied by `items.apply_changes`, as `archive ingest --update-metadata` reads, compares and
applies; in one unit of work, audited field by field. A row finds its item by the path in its
`file` column, the end of the path of a file the archive ingested (`archive export csv` writes
it so, and the workspace's export relative to `spreadsheet.archive_folder`).

A row that cannot be applied (a bad date, a path no item or several items have, two rows for
one item that disagree) is refused with its reason and the other rows are applied; a file that
cannot be read as a whole applies nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from archive import batch, items
from archive.fields import default_lang
from archive.models import Item, Source
from ingest.sidecar import read_metadata_csv

if TYPE_CHECKING:
    from archive.home import Archive
    from archive.work import UnitOfWork

ACTION = batch.SPREADSHEET
NAME = "metadata.csv"  # as the reasons name the file
Change = tuple[str, str, Any, Any]  # (accession id, field, before, after), as a batch edit's


@dataclass
class Updates:
    changes: list[Change] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # rows applied in nothing, and why
    rows: int = 0  # rows that named an item


def apply(work: UnitOfWork, path: Path) -> Updates:
    """Apply the CSV at `path`; `ingest.sidecar.Unreadable` (nothing applied) when it cannot
    be read as a whole."""
    sheet = read_metadata_csv(path, NAME, default_lang(work.archive.settings["languages"]))
    found = Updates(refused=[f"{NAME} row {p.row}: {p.reason}" for p in sheet.problems])
    found.refused += sheet.failed.values()
    owners = _owners(work.session, set(sheet.rows))
    by_item: dict[str, list[str]] = defaultdict(list)
    for name in sheet.rows:
        where = f"{NAME} row {sheet.row_of[name]}"
        owner = owners.get(name, set())
        if len(owner) == 1:
            by_item[next(iter(owner))].append(name)
        elif owner:
            found.refused.append(f"{where}: {name!r} is a part of the path of {len(owner)} "
                                 "items' files; write more of it")  # fmt: skip
        else:
            found.refused.append(f"{where}: no item's file is at {name!r}")
    batch.load(work, list(by_item))  # with what re-tagging reads, a few queries for them all
    for accession_id, names in sorted(by_item.items()):
        descriptions = {repr(sorted(sheet.rows[n].fields.items())) for n in names}
        if len(descriptions) > 1:
            rows = " and ".join(str(sheet.row_of[n]) for n in names)
            found.refused.append(f"{NAME} rows {rows} name one item, described otherwise")
            continue
        found.rows += 1
        item = items.find(work.session, accession_id)
        changes = items.differences(item, sheet.rows[names[0]])
        items.apply_changes(item, changes)
        items.changed(work, item, changes)
        found.changes += [(accession_id, *change) for change in changes]
    return found


def _owners(session, names: set[str]) -> dict[str, set[str]]:
    """The items (accession ids) each name is the end of a path of: a file's, or the folder of
    its pages."""
    owners: dict[str, set[str]] = defaultdict(set)
    longest = max((name.count("/") + 1 for name in names), default=0)
    query = select(Source.path, Item.accession_id).join(Item, Source.item_id == Item.id)
    for path, item_id in session.execute(query):
        parts = PurePosixPath(path).parts
        for end in (len(parts), len(parts) - 1):
            for start in range(max(1, end - longest), end):  # parts[0] is the root
                name = "/".join(parts[start:end])
                if name in names:
                    owners[name].add(item_id)
    return owners


class _Preview(Exception):
    """Raised to roll a preview back."""


def preview(archive: Archive, path: Path, by: str) -> Updates:
    """What applying would change: made in a unit of work and rolled back."""
    try:
        with archive.change(ACTION, by=by) as work:
            found = apply(work, path)
            raise _Preview
    except _Preview:
        return found
