"""BagIt bags given to `archive ingest` (as `archive export bag` writes them): the bag is
checked whole first with the `bagit` library (every file against each manifest the bag has,
SHA-256 in ours, none missing, none added), a damaged one is refused naming the files that
fail, and each item in it comes in with the description its `record.json` gives."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from archive.errors import InvalidInput
from archive.fields import Description, describe

MARK = "bagit.txt"  # a folder holding it is a bag
SHOWN_FAILURES = 10  # files named in the reason a bag is refused
# the fields of record.json a bag's item takes, by the names ingest reads them
FIELDS = {
    "title": "title",
    "description": "description",
    "date": "date",
    "creator": "creator",
    "place": "place",
    "latitude": "latitude",
    "longitude": "longitude",
    "subjects": "subject",
    "languages": "language",
    "rights": "rights",
    "type": "type",
    "access": "access",
}


class BagRefused(Exception):
    """The bag is damaged or not one of ours: the reason, naming what fails."""


@dataclass(frozen=True)
class BagItem:
    path: Path  # the item's folder in the bag: data/, or data/ACCESSION-ID/
    files: tuple[Path, ...]  # its masters, in page order
    compound: bool  # pages that are files of their own
    description: Description
    collection: str | None


def read(folder: Path, default_lang: str) -> list[BagItem]:
    """The items of the bag at `folder`, once it has been found whole; BagRefused otherwise."""
    import bagit  # only for bags: it brings multiprocessing, which a run over done files lacks

    try:
        bag = bagit.Bag(str(folder))
        bag.validate(processes=1)
    except bagit.BagValidationError as error:
        raise BagRefused(_failures(bagit, error))
    except bagit.BagError as error:
        raise BagRefused(f"not a bag that can be read: {error}")
    by_sha256 = {
        digests["sha256"]: folder / name
        for name, digests in bag.entries.items()
        if "sha256" in digests and name.startswith("data/")
    }
    data = folder / "data"
    records = [data] if (data / "record.json").exists() else sorted(data.iterdir())
    return [_item(path, by_sha256, default_lang) for path in records if path.is_dir()]


def _failures(bagit, error) -> str:
    details = getattr(error, "details", None) or []
    named = sorted({f"{d.path} ({_what(bagit, d)})" for d in details if getattr(d, "path", None)})
    if not named:
        return f"damaged bag: {error.message}"
    more = f" and {len(named) - SHOWN_FAILURES} more" if len(named) > SHOWN_FAILURES else ""
    return f"damaged bag, nothing taken from it: {', '.join(named[:SHOWN_FAILURES])}{more}"


def _what(bagit, detail) -> str:
    if isinstance(detail, bagit.ChecksumMismatch):
        return f"{detail.algorithm} does not match"
    if isinstance(detail, bagit.FileMissing):
        return "missing"
    if isinstance(detail, bagit.UnexpectedFile):
        return "not in the manifest"
    return str(detail)


def _item(path: Path, by_sha256: dict[str, Path], default_lang: str) -> BagItem:
    where = path / "record.json"
    try:
        record = json.loads(where.read_text(encoding="utf-8"))
        files = tuple(by_sha256[master["sha256"]] for master in record["masters"])
        values = {name: record.get(key) for key, name in FIELDS.items()}
        description = describe(
            {k: v for k, v in values.items() if v not in (None, [])}, default_lang
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BagRefused(f"{where} does not describe an item: {error!r}")
    except InvalidInput as error:
        raise BagRefused(f"{where}: {error}")
    return BagItem(path, files, len(files) > 1, description, record.get("collection"))
