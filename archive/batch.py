"""Batch edits: one change made to many items at once (a field set, a tag added or removed, the
access set, a move to a collection), previewed item by item, applied as one unit of work (one
audit unit, action `batch edit`), and undone as one from that unit's audit entries.

A preview is the change made and rolled back, so it shows exactly what applying would do,
checks included. Undo puts back each item's fields and tags as they were before the batch; an
item changed again since keeps its later change, and is named."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from archive import collections, items, tags
from archive.errors import InvalidInput, NotFound
from archive.models import AuditEntry, AuditUnit, Item, Page, Tag

if TYPE_CHECKING:
    from archive.home import Archive
    from archive.work import UnitOfWork

ACTION = "batch edit"
SPREADSHEET = "csv update"  # a metadata.csv's rows applied (archive.sheet_updates): undone so
ACTIONS = (ACTION, SPREADSHEET)
UNDO = "batch undo"
MAX_ITEMS = 5000  # a selection larger than this is refused: edit it in parts
LOAD_BATCH = 500  # items read at once
OPERATIONS = ("set", "tag-add", "tag-remove", "access", "move")


@dataclass(frozen=True)
class Operation:
    """What a batch does to each item: `set` FIELD to VALUE (`item set`'s names, an empty
    value clears), `tag-add` / `tag-remove` the tag VALUE, `access` VALUE, `move` to the
    collection VALUE (which must exist)."""

    kind: str
    value: str
    field: str = ""

    def check(self) -> None:
        if self.kind not in OPERATIONS:
            raise InvalidInput(f"operation {self.kind!r}: one of {', '.join(OPERATIONS)}")
        if self.kind == "set" and not self.field.strip():
            raise InvalidInput("name the field to set")
        if self.kind == "set" and self.field.strip() in ("collection", "access"):
            raise InvalidInput(f"{self.field}: use the operation for it")
        if self.kind in ("tag-add", "tag-remove", "access") and not self.value.strip():
            raise InvalidInput("give the value")

    @property
    def field_name(self) -> str:
        """The item field the operation changes, as the permissions table names it."""
        return {"set": self.field, "access": "access", "move": "collection"}.get(self.kind, "tags")


# One change the batch makes: (accession id, field, before, after).
Change = tuple[str, str, Any, Any]


def apply(work: UnitOfWork, accession_ids: list[str], operation: Operation) -> list[Change]:
    """Make the operation on every item; InvalidInput (nothing changed) naming the first item
    that refuses it."""
    operation.check()
    if len(accession_ids) > MAX_ITEMS:
        raise InvalidInput(f"{len(accession_ids)} items: at most {MAX_ITEMS} at once")
    if operation.kind == "move" and operation.value.strip().strip("/"):
        collections.find(work.session, operation.value)
    lang = _lang(work)
    load(work, accession_ids)
    found: list[Change] = []
    for accession_id in dict.fromkeys(accession_ids):
        try:
            found += _one(work, accession_id, operation, lang)
        except (InvalidInput, NotFound) as error:
            raise InvalidInput(f"{accession_id}: {error}") from None
    return found


def load(work: UnitOfWork, accession_ids: list[str]) -> None:
    """Read the items with what re-tagging them reads (pages, texts, tags), a few queries for
    hundreds of items, instead of several per item: they stay in the session, where each
    edit finds them. The session holds an unchanged item only while something refers to it,
    so the unit of work's session refers to them (in its `info`) until it ends: let go, they
    were read again one by one, and each one's pages, texts and tags after them."""
    held = work.session.info.setdefault("loaded", [])
    for start in range(0, len(accession_ids), LOAD_BATCH):
        chunk = accession_ids[start : start + LOAD_BATCH]
        held += work.session.scalars(
            select(Item)
            .where(Item.accession_id.in_(chunk))
            .options(
                selectinload(Item.pages).selectinload(Page.texts),
                selectinload(Item.tags),
                selectinload(Item.collection),
            )
        )


def _one(work: UnitOfWork, accession_id: str, operation: Operation, lang: str) -> list[Change]:
    if operation.kind in ("tag-add", "tag-remove"):
        return _tag(work, accession_id, operation.value.strip(), operation.kind == "tag-remove")
    name = {"access": "access", "move": "collection"}.get(operation.kind, operation.field.strip())
    changes = items.edit(work, accession_id, {name: operation.value}, lang)
    return [(accession_id, field, before, after) for field, before, after in changes]


def _tag(work: UnitOfWork, accession_id: str, label: str, remove: bool) -> list[Change]:
    """Add (or remove) a person's tag. Audited as the tag's whole state before and after, under
    `tag vocabulary:term`, so that undo puts the very tag back (an automatic one stays one)."""
    item = items.find(work.session, accession_id)
    key = tags.parse(label, work.archive.vocabularies)
    tag = next((t for t in item.tags if (t.vocabulary, t.term) == key), None)
    before = _state(tag)
    if tag is not None and tag.removed == remove and tag.source == "person":
        return []
    if tag is None:
        tag = Tag(vocabulary=key[0], term=key[1])
        item.tags.append(tag)
    labels = tags.labels(item)
    tag.source, tag.removed, tag.score = "person", remove, None
    tag.evidence = {"rule": "person", "by": work.by, "action": "removed" if remove else "added"}
    name = f"tag {key[0]}:{key[1]}"
    work.changed(item)
    work.record(accession_id, "tags", labels, tags.labels(item))
    work.record(accession_id, name, before, _state(tag))
    return [(accession_id, name, before, _state(tag))]


def _state(tag: Tag | None) -> dict | None:
    if tag is None:
        return None
    return {
        "source": tag.source,
        "removed": tag.removed,
        "score": tag.score,
        "evidence": tag.evidence,
    }


class _Preview(Exception):
    """Raised to roll a preview back."""


def preview(archive: Archive, accession_ids: list[str], operation: Operation, by: str):
    """What applying would change, item by item: made in a unit of work and rolled back."""
    try:
        with archive.change(ACTION, by=by) as work:
            found = apply(work, accession_ids, operation)
            raise _Preview
    except _Preview:
        return found


def digest(changes: list[Change]) -> str:
    """A short digest of a preview: applying checks that it would still make the same changes."""
    text = json.dumps(changes, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Undone:
    changes: list[Change]  # what was put back
    kept: list[str]  # items changed again since the batch: their later change is kept


def undo(work: UnitOfWork, unit_id: int) -> Undone:
    """Put back what the batch `unit_id` changed, in this one unit of work."""
    session = work.session
    unit = session.get(AuditUnit, unit_id)
    if unit is None or unit.action not in ACTIONS:
        raise NotFound(f"no batch edit {unit_id}")
    marker = f"batch-{unit_id}"
    if session.scalar(select(AuditEntry.id).where(AuditEntry.target == marker).limit(1)):
        raise InvalidInput(f"batch edit {unit_id} is undone already")
    entries = [e for e in unit.entries if e.kind == "item" and e.field != "tags"]
    lang = _lang(work)
    load(work, list(dict.fromkeys(e.target for e in entries)))
    done: list[Change] = []
    kept: list[str] = []
    for entry in entries:
        try:
            put_back = _put_back(work, entry, lang)
        except NotFound:  # purged since
            put_back = None
        if put_back is None:
            kept.append(entry.target)
        else:
            done += put_back
    work.record(marker, "undone", None, len(done), kind="batch")
    return Undone(done, sorted(set(kept)))


def _lang(work: UnitOfWork) -> str:
    from archive.fields import default_lang

    return default_lang(work.archive.settings["languages"])


def _put_back(work: UnitOfWork, entry: AuditEntry, lang: str) -> list[Change] | None:
    """The entry's field put back to `before`; None when it has changed since the batch."""
    if entry.field.startswith("tag "):
        return _tag_back(work, entry)
    item = items.find(work.session, entry.target)
    current = _current(item, entry.field)
    if current != entry.after:
        return None
    changes = items.edit(work, entry.target, {entry.field: _assignment(entry.before)}, lang)
    return [(entry.target, field, before, after) for field, before, after in changes]


def _current(item, field: str) -> Any:
    if field == "collection":
        return item.collection.slug if item.collection else None
    from archive.fields import language_field

    mapped = language_field(field, "")
    if mapped:
        return getattr(item, mapped[0]).get(mapped[1])
    return getattr(item, items.ATTRIBUTES[field])


def _assignment(value: Any) -> str:
    """A value of the audit as `item set` takes it (an empty one clears the field)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def _tag_back(work: UnitOfWork, entry: AuditEntry) -> list[Change] | None:
    item = items.find(work.session, entry.target)
    vocabulary, term = entry.field.removeprefix("tag ").split(":", 1)
    tag = next((t for t in item.tags if (t.vocabulary, t.term) == (vocabulary, term)), None)
    if _state(tag) != entry.after:
        return None
    labels = tags.labels(item)
    if entry.before is None:
        item.tags.remove(tag)
    else:
        for name in ("source", "removed", "score", "evidence"):
            setattr(tag, name, entry.before[name])
    work.changed(item)
    work.record(entry.target, "tags", labels, tags.labels(item))
    work.record(entry.target, entry.field, entry.after, entry.before)
    return [(entry.target, entry.field, entry.after, entry.before)]


def selection_from_collection(session, slug: str) -> list[str]:
    """The accession ids of the items in the collection and those below it, newest first."""
    return [row["id"] for row in items.listing(session, in_collection=slug)][:MAX_ITEMS]


def selection_from_search(index, query: str, filters: dict[str, list[str]]) -> list[str]:
    """The accession ids of every item the search finds (restricted ones too), best first."""
    found: list[str] = []
    page = 1
    while len(found) < MAX_ITEMS:
        results = index.search(
            query, filters=filters, public_only=False, page=page, per_page=200, facets=False
        )
        found += [hit.id for hit in results.hits]
        if page * results.per_page >= results.total or not results.hits:
            break
        page += 1
    return found[:MAX_ITEMS]
