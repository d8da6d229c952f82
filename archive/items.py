"""The item services: register what ingest prepared, find, show and edit items."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import accession, edtf, orders, readings
from archive.errors import InvalidInput, NotFound
from archive.fields import (
    BY_NAME,
    DATE,
    FIELDS,
    LANGUAGE_MAP,
    LANGUAGE_MAPPED,
    WRITTEN,
    Description,
    Field,
    describe,
    language_field,
    nearest,
    unknown_field,
)
from archive.models import Collection, Item, Master, Page, Source
from archive.records import NewFile, NewItem

if TYPE_CHECKING:
    from archive.work import UnitOfWork

COLLECTION_LEVELS = ("fonds", "series", "file")


def find(session: Session, accession_id: str) -> Item:
    item = session.scalar(select(Item).where(Item.accession_id == accession_id))
    if item is None:
        raise NotFound(f"no item {accession_id}")
    return item


def find_by_hash(session: Session, content_hash: str) -> Item | None:
    return session.scalar(select(Item).where(Item.content_hash == content_hash))


def register(work: UnitOfWork, news: list[NewItem], prefix: str) -> list[tuple[str, Item]]:
    """Create each item, or say it duplicates one already here: ("created" | "duplicate", item).
    Either way its source files are remembered, so the next run skips them unread. What the
    batch needs from the database is looked up in three queries, not three per item."""
    session = work.session
    items = _by(session, Item.content_hash, {n.content_hash for n in news})
    masters = _by(session, Master.sha256, {f.sha256 for n in news for f in n.files})
    sources = _by(session, Source.key, {f.source_key for n in news for f in n.files})
    year = datetime.now(UTC).year
    slugs = {n.collection for n in news if n.collection}
    collections = {slug: collection(session, slug) for slug in slugs}
    results = []
    for new in news:
        item = items.get(new.content_hash)
        outcome = "duplicate" if item else "created"
        if item is None:
            item = _create(session, new, prefix, year, masters, collections.get(new.collection))
            items[new.content_hash] = item
            created(work, item)
        for file in new.files:
            source = sources.get(file.source_key) or Source(key=file.source_key)
            source.path, source.size = file.source_path, file.size
            source.mtime_ns, source.sha256, source.item = file.mtime_ns, file.sha256, item
            sources[file.source_key] = source
            session.add(source)
        results.append((outcome, item))
    session.flush()
    return results


# What a sidecar may say of an item (the rights note comes from the file, the same in a copy).
DESCRIPTIVE = tuple(f.attribute for f in WRITTEN)


def created(work: UnitOfWork, item: Item) -> None:
    """A new item: indexed and tagged at commit, and audited with what it was made as."""
    work.changed(item)
    work.retag(item)
    shown = {"title": item.title, "type": item.type, "access": item.access}
    work.record(item.accession_id, "created", None, shown)


def take_description(work: UnitOfWork, item: Item, new: NewItem) -> None:
    """`item` takes the descriptive fields of `new`, a copy of its content that a sidecar
    described, when the item was made (in the same run) from a copy that none described."""
    before = {name: getattr(item, name) for name in DESCRIPTIVE}
    for name in DESCRIPTIVE:
        setattr(item, name, getattr(new, name))
    item.year_start, item.year_end = edtf.year_range(new.date) if new.date else (None, None)
    changes = [
        (n, before[n], getattr(item, n)) for n in DESCRIPTIVE if before[n] != getattr(item, n)
    ]
    changed(work, item, changes)


def _by(session: Session, column, keys: set[str]) -> dict:
    if not keys:
        return {}
    rows = session.scalars(select(column.class_).where(column.in_(keys))).all()
    return {getattr(row, column.key): row for row in rows}


def _create(
    session: Session,
    new: NewItem,
    prefix: str,
    year: int,
    masters: dict[str, Master],
    in_collection: Collection | None,
) -> Item:
    year_start, year_end = edtf.year_range(new.date) if new.date else (None, None)
    item = Item(
        accession_id=accession.next_id(session, prefix, year),
        content_hash=new.content_hash,
        **{name: getattr(new, name) for name in _ATTRIBUTES},
        year_start=year_start,
        year_end=year_end,
        technical=new.technical,
        collection=in_collection,
        tags=[],  # as `texts` below: a new item has none to load
    )
    session.add(item)
    number = 0
    for file in new.files:
        if file.sha256 not in masters:
            masters[file.sha256] = _master(file)
        for frame, (width, height) in enumerate(file.frames):
            number += 1
            # `texts` given: a new page has none to load, and tagging it would otherwise ask the
            # database (a flush and a query, ~2.5 ms, in ingest's one writer)
            page = Page(
                number=number,
                master=masters[file.sha256],
                frame=frame,
                width=width,
                height=height,
                texts=[],
            )
            if file.pages:
                readings.record_result(page, file.pages[frame])
            item.pages.append(page)
    return item


_ATTRIBUTES = tuple(f.attribute for f in FIELDS)


def _master(file: NewFile) -> Master:
    return Master(
        sha256=file.sha256,
        size=file.size,
        media_type=file.media_type,
        original_path=file.original_path,
        original_name=file.original_path.rsplit("/", 1)[-1],
        stored_path=file.stored_path,
    )


def collection(session: Session, slug: str) -> Collection:
    """The collection at `slug` (fonds/series/file), made with its parents when it is new."""
    parts = [p for p in slug.strip("/").split("/") if p]
    if not 1 <= len(parts) <= len(COLLECTION_LEVELS) or not all(_is_slug(p) for p in parts):
        raise InvalidInput(
            f"collection {slug!r} must be fonds, fonds/series or fonds/series/file, "
            "each part lowercase letters, digits and hyphens"
        )
    parent = None
    for depth in range(1, len(parts) + 1):
        path = "/".join(parts[:depth])
        found = session.scalar(select(Collection).where(Collection.slug == path))
        if found is None:
            found = Collection(
                slug=path, level=COLLECTION_LEVELS[depth - 1], title={}, parent=parent
            )
            session.add(found)
        parent = found
    return parent


def _is_slug(part: str) -> bool:
    return part.replace("-", "").isalnum() and part.isascii() and part == part.lower()


# The item's attribute for each field of a Description that is not language-mapped.
ATTRIBUTES = {f.name: f.attribute for f in WRITTEN if f.kind != LANGUAGE_MAP}
REQUIRED = tuple(f.name for f in FIELDS if f.required)  # changed, never cleared

# One change to an item: (field, old, new). Language-mapped fields are named with their language
# (`title_vi`), as `item set` and metadata.csv name them; a new value None clears the field.
FieldChange = tuple[str, Any, Any]


def differences(item: Item, description: Description) -> list[FieldChange]:
    """What giving the item `description` would change: only the fields it gives are compared
    (a field it leaves out, or an empty cell, says nothing), and in a language map only the
    languages it gives."""
    found: list[FieldChange] = []
    for key, value in description.fields.items():
        if key in LANGUAGE_MAPPED:
            current = getattr(item, key)
            found += [
                (f"{key}_{lang}", current.get(lang), text)
                for lang, text in value.items()
                if current.get(lang) != text
            ]
        elif getattr(item, ATTRIBUTES[key]) != value:
            found.append((key, getattr(item, ATTRIBUTES[key]), value))
    return found


def apply_changes(item: Item, changes: list[FieldChange]) -> None:
    """Make the changes (from `differences`, or `edit`'s clearing) on the item."""
    for name, _old, new in changes:
        mapped = language_field(name, "")
        if mapped:
            key, lang = mapped
            values = {k: v for k, v in getattr(item, key).items() if k != lang}
            setattr(item, key, values | ({lang: new} if new is not None else {}))
        elif BY_NAME[name].kind == DATE:
            item.date = new
            item.year_start, item.year_end = edtf.year_range(new) if new else (None, None)
        else:
            setattr(item, ATTRIBUTES[name], new)


def edit(
    work: UnitOfWork, accession_id: str, assignments: dict[str, str], lang: str
) -> list[FieldChange]:
    """Set fields from FIELD=VALUE pairs (the names and checks of metadata.csv, and
    `collection`); an empty VALUE clears the field (`title=` the title in `lang`, `title_en=`
    the English one). Returns what changed; raises InvalidInput, changing nothing, on any fault."""
    session = work.session
    item = find(session, accession_id)
    assignments = dict(assignments)
    slug = assignments.pop("collection", None)
    given = {k: v for k, v in assignments.items() if v.strip()}
    cleared = [k for k, v in assignments.items() if not v.strip()]
    changes = differences(item, describe(given, lang))
    changes += _clearing(item, cleared, lang, {name for name, _, _ in changes})
    apply_changes(item, changes)
    if not item.title:  # the caller's transaction is rolled back: nothing is changed
        raise InvalidInput("an item keeps a title: give it another before clearing this one")
    if slug is not None:
        changes += _moving(session, item, slug)
    changed(work, item, changes)
    return changes


def changed(work: UnitOfWork, item: Item, changes: list[FieldChange]) -> None:
    """The item's fields were changed so: indexed and tagged again, and audited, field by
    field."""
    if not changes:
        return
    work.changed(item)
    work.retag(item)
    for name, old, new in changes:
        work.record(item.accession_id, name, old, new)


def _clearing(item: Item, names: list[str], lang: str, given: set[str]) -> list[FieldChange]:
    """The changes that clear the fields `names`."""
    found: list[FieldChange] = []
    for name in names:
        mapped = language_field(name, lang)
        if mapped:
            key, code = mapped
            name = f"{key}_{code}"
            old, empty = getattr(item, key).get(code), None  # one language of the map
        elif name in ATTRIBUTES:
            if name in REQUIRED:
                raise InvalidInput(f"{name} cannot be cleared: give another value")
            old, empty = getattr(item, ATTRIBUTES[name]), BY_NAME[name].empty
        else:
            raise unknown_field(name)
        if name not in given and old not in (None, [], ""):
            found.append((name, old, empty))
    cleared = {name for name, _, _ in found}
    if ("latitude" in cleared) != ("longitude" in cleared) and item.latitude is not None:
        raise InvalidInput("latitude and longitude go together: clear both")
    return found


def _moving(session: Session, item: Item, slug: str) -> list[FieldChange]:
    """Move the item into the collection at `slug` (made when new); an empty slug takes it out."""
    old = item.collection.slug if item.collection else None
    target = collection(session, slug) if slug.strip() else None
    new = target.slug if target else None
    if new == old:
        return []
    item.collection = target
    return [("collection", old, new)]


PUBLISHED = tuple(f for f in FIELDS if f.api)


def described(item: Item, fields: tuple[Field, ...] = PUBLISHED) -> dict[str, Any]:
    """The item's descriptive fields, the start of every record of it the archive gives out:
    its id, then the fields the JSON API gives (or `fields`), a date followed by its years."""
    record: dict[str, Any] = {"id": item.accession_id}
    for field in fields:
        record[field.attribute] = getattr(item, field.attribute)
        if field.kind == DATE:
            record["year_start"], record["year_end"] = item.year_start, item.year_end
    return record


def as_dict(item: Item) -> dict[str, Any]:
    """The item as `archive item show --json` prints it (a documented, stable shape)."""
    return {
        **described(item, FIELDS),
        "collection": item.collection.slug if item.collection else None,
        "technical": item.technical,
        "pages": [_page(page) for page in item.pages],
        "masters": [
            {
                "sha256": m.sha256,
                "size": m.size,
                "media_type": m.media_type,
                "original_path": m.original_path,
                "stored_path": m.stored_path,
            }
            for m in _masters(item)
        ],
        "tags": [
            {
                "vocabulary": t.vocabulary,
                "term": t.term,
                "source": t.source,
                "review": t.review,  # None (not reviewed), accepted
                "score": t.score,
                "evidence": t.evidence,
            }
            for t in sorted(item.tags, key=lambda t: (t.vocabulary, t.term))
            if not t.removed
        ],
        "created_at": item.created_at.isoformat() + "Z",
        "updated_at": item.updated_at.isoformat() + "Z",
        "withdrawn": None
        if item.withdrawn_at is None
        else {
            "at": item.withdrawn_at.isoformat() + "Z",
            "by": item.withdrawn_by,
            "reason": item.withdrawn_reason,
        },
    }


def _page(page: Page) -> dict[str, Any]:
    text = page.text
    return {
        "number": page.number,
        "width": page.width,
        "height": page.height,
        "master": page.master.stored_path,
        "frame": page.frame,
        "rotation": page.rotation,
        "ocr": page.ocr_status,
        "ocr_error": page.ocr_error,
        "text": None
        if text is None
        else {
            "version": text.version,
            "source": text.source,
            "language": text.language,
            "confidence": text.confidence,
            "ocr_languages": text.ocr_languages,
            "engine": text.engine,
            "text": text.text,
        },
    }


def _masters(item: Item) -> list[Master]:
    seen: dict[int, Master] = {}
    for page in item.pages:
        seen.setdefault(page.master.id, page.master)
    return list(seen.values())


def listing(
    session: Session,
    *,
    in_collection: str | None = None,
    item_type: str | None = None,
    access: str | None = None,
    since: datetime | None = None,
    order: str = orders.LISTING[0],
) -> Iterator[dict[str, Any]]:
    """Items as `archive item list` gives them (a documented, stable shape), read a batch at a
    time: a whole archive is listed without holding it in memory. An unknown collection raises
    NotFound at once, before any item is given."""
    query = select(
        Item.accession_id, Item.type, Item.access, Collection.slug, Item.date,
        Item.created_at, Item.title,
    ).outerjoin(Collection, Item.collection_id == Collection.id)  # fmt: skip
    if in_collection is not None:
        slug = _existing_collection(session, in_collection)
        query = query.where((Collection.slug == slug) | Collection.slug.startswith(f"{slug}/"))
    if item_type is not None:
        query = query.where(Item.type == item_type)
    if access is not None:
        query = query.where(Item.access == access)
    if since is not None:
        query = query.where(Item.created_at >= since)
    query = query.order_by(Item.id.desc() if order == orders.LISTING[0] else Item.accession_id)
    return _listed(session, query)


def _listed(session: Session, query) -> Iterator[dict[str, Any]]:
    for row in session.execute(query.execution_options(yield_per=500)):
        accession_id, kind, item_access, slug, date, created_at, title = row
        yield {
            "id": accession_id,
            "type": kind,
            "access": item_access,
            "collection": slug,
            "date": date,
            "created_at": created_at.isoformat() + "Z",
            "title": title,
        }


def _existing_collection(session: Session, slug: str) -> str:
    slug = slug.strip("/")
    known = list(session.scalars(select(Collection.slug)))
    if slug not in known:
        guess = nearest(slug, known)
        raise NotFound(f"no collection {slug!r}" + (f"; did you mean {guess!r}?" if guess else ""))
    return slug
