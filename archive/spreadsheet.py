"""`archive export csv`: items as a `metadata.csv`, the sidecar ingest reads, so that an
archivist edits a spreadsheet and `archive ingest --update-metadata` applies it. Every
descriptive field is a column, every language of a title or description its own
(`title_vi`, `title_en`); an unedited export reads back as no change at all.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or a carriage
return) as a formula: a title written as `=HYPERLINK(...)` would become a link, or worse, on
the archivist's machine (OWASP, "CSV injection"). Such cells are written after an apostrophe,
which spreadsheets take as "text" and do not show; ingest takes it away again
(`archive.fields.restored`).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from archive.fields import neutralised
from archive.models import Item, Source

SINGLE = ("creator", "date", "place", "latitude", "longitude")
LAST = ("subject", "language", "rights", "type", "access")


@dataclass
class Written:
    rows: int = 0
    warnings: list[str] = field(default_factory=list)


def write(
    session: Session, accession_ids: Iterable[str], out: Path, folder: Path | None = None
) -> Written:
    """Write the items named (in accession order) to `out`: UTF-8 with a BOM, which Excel needs
    to read Vietnamese, and the `file` column relative to `folder` (by default `out`'s)."""
    items = _items(session, sorted(set(accession_ids)))
    sources = _sources(session, [item.id for item in items])
    folder = (folder or out.parent).absolute()
    languages = sorted({lang for item in items for lang in [*item.title, *item.description]})
    columns = ["file", *(f"title_{lang}" for lang in languages)]
    columns += [f"description_{lang}" for lang in languages]
    columns += [*SINGLE, *LAST]
    written = Written()
    temporary = out.with_name(f".{out.name}.writing")
    with open(temporary, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        for item in items:
            name = _file(sources.get(item.id, []), folder, item, written)
            values = _row(item, languages)
            if any(";" in subject for subject in item.subjects or []):
                written.warnings.append(f"{item.accession_id}: a subject holds ';', read as two")
            writer.writerow([neutralised(name), *(neutralised(values[c]) for c in columns[1:])])
            written.rows += 1
    os.replace(temporary, out)
    return written


def archive_folder(session: Session) -> Path:
    """The folder every file the archive ingested is below: a `file` column relative to it
    names each item by a path no other item's file has (the workspace writes and reads it so).
    The folders all the paths share are those the first and the last in order share; when
    every file is in one folder, the one above it (that folder may be a document's pages)."""
    first, last = session.execute(select(func.min(Source.path), func.max(Source.path))).one()
    if first is None:
        return Path("/")
    if Path(first).parent == Path(last).parent:
        return Path(first).parent.parent
    return Path(os.path.commonpath([first, last]))


def _items(session: Session, accession_ids: list[str]) -> list[Item]:
    found: list[Item] = []
    for start in range(0, len(accession_ids), 500):  # SQLite allows so many variables at once
        query = (
            select(Item)
            .where(Item.accession_id.in_(accession_ids[start : start + 500]))
            .options(selectinload(Item.collection))
            .order_by(Item.accession_id)
        )
        found += session.scalars(query)
    return found


def _sources(session: Session, keys: list[int]) -> dict[int, list[Source]]:
    found: dict[int, list[Source]] = {}
    for start in range(0, len(keys), 500):
        query = select(Source).where(Source.item_id.in_(keys[start : start + 500]))
        for source in session.scalars(query.order_by(Source.path)):
            found.setdefault(source.item_id, []).append(source)
    return found


def _file(sources: list[Source], folder: Path, item: Item, written: Written) -> str:
    """The path a row names its item by: its file, or the folder of a document whose pages are
    files of their own; relative to the CSV's folder, as ingest reads it."""
    if not sources:
        written.warnings.append(f"{item.accession_id}: no file is known for it; row left unnamed")
        return ""
    contents = {source.sha256 for source in sources}
    path = Path(sources[0].path)
    if len(contents) > 1:  # pages of a folder (copies of one file share one content)
        path = path.parent
    relative = os.path.relpath(path, folder)
    if relative.startswith(".."):
        written.warnings.append(
            f"{item.accession_id}: {path} is not under {folder}; write the CSV in or above the "
            "folder that was ingested for ingest to read this row"
        )
        return str(path)
    return PurePath(relative).as_posix()


def _row(item: Item, languages: list[str]) -> dict[str, str]:
    row = {f"title_{lang}": item.title.get(lang, "") for lang in languages}
    row |= {f"description_{lang}": item.description.get(lang, "") for lang in languages}
    row |= {
        name: "" if getattr(item, name) is None else str(getattr(item, name)) for name in SINGLE
    }
    row["subject"] = ";".join(item.subjects or [])
    row["language"] = ";".join(item.languages or [])
    row["rights"], row["type"], row["access"] = item.rights, item.type, item.access
    return row
