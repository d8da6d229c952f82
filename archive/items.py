"""The item services: register what ingest prepared, find, show and edit items."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from archive import accession, edtf, texts
from archive.errors import InvalidInput, NotFound
from archive.fields import Description, describe
from archive.models import Change, Collection, Item, Master, Page, Source
from archive.records import NewFile, NewItem

COLLECTION_LEVELS = ("fonds", "series", "file")


def find(session: Session, accession_id: str) -> Item:
    item = session.scalar(select(Item).where(Item.accession_id == accession_id))
    if item is None:
        raise NotFound(f"no item {accession_id}")
    return item


def find_by_hash(session: Session, content_hash: str) -> Item | None:
    return session.scalar(select(Item).where(Item.content_hash == content_hash))


def register(session: Session, news: list[NewItem], prefix: str) -> list[tuple[str, Item]]:
    """Create each item, or say it duplicates one already here: ("created" | "duplicate", item).
    Either way its source files are remembered, so the next run skips them unread. What the
    batch needs from the database is looked up in three queries, not three per item."""
    items = _by(session, Item.content_hash, {n.content_hash for n in news})
    masters = _by(session, Master.sha256, {f.sha256 for n in news for f in n.files})
    sources = _by(session, Source.path, {f.source_path for n in news for f in n.files})
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
        for file in new.files:
            source = sources.get(file.source_path) or Source(path=file.source_path)
            source.size, source.mtime_ns, source.sha256 = file.size, file.mtime_ns, file.sha256
            source.item = item
            sources[file.source_path] = source
            session.add(source)
        results.append((outcome, item))
    session.flush()
    return results


DESCRIPTIVE = ("type", "title", "description", "date", "creator", "place", "latitude")
DESCRIPTIVE += ("longitude", "subjects", "rights", "access", "languages")


def take_description(item: Item, new: NewItem) -> None:
    """`item` takes the descriptive fields of `new`, a copy of its content that a sidecar
    described, when the item was made (in the same run) from a copy that none described."""
    for name in DESCRIPTIVE:
        setattr(item, name, getattr(new, name))
    item.year_start, item.year_end = edtf.year_range(new.date) if new.date else (None, None)


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
        type=new.type,
        content_hash=new.content_hash,
        title=new.title,
        description=new.description,
        date=new.date,
        year_start=year_start,
        year_end=year_end,
        creator=new.creator,
        place=new.place,
        latitude=new.latitude,
        longitude=new.longitude,
        subjects=new.subjects,
        rights=new.rights,
        rights_note=new.rights_note,
        access=new.access,
        languages=new.languages,
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
                texts.record_result(page, file.pages[frame])
            item.pages.append(page)
    return item


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


def edit(session: Session, accession_id: str, assignments: dict[str, str], lang: str) -> Item:
    """Set fields from FIELD=VALUE pairs (the same names and checks as metadata.csv)."""
    item = find(session, accession_id)
    apply(item, describe(assignments, lang), empty={k for k, v in assignments.items() if not v})
    return item


def apply(item: Item, description: Description, empty: set[str] = frozenset()) -> None:
    values = description.fields
    for key in ("title", "description"):
        if key in values:
            setattr(item, key, {**getattr(item, key), **values[key]})
    simple = {"creator": "creator", "place": "place", "rights": "rights", "access": "access"}
    simple |= {"type": "type", "latitude": "latitude", "longitude": "longitude"}
    simple |= {"subject": "subjects", "language": "languages"}
    for key, attribute in simple.items():
        if key in values:
            setattr(item, attribute, values[key])
        elif key in empty and key not in ("rights", "access", "type"):
            setattr(item, attribute, [] if key in ("subject", "language") else None)
    if "date" in values:
        item.date = values["date"]
        item.year_start, item.year_end = edtf.year_range(item.date)
    elif "date" in empty:
        item.date = item.year_start = item.year_end = None


def described(item: Item) -> dict[str, Any]:
    """The item's descriptive fields, the start of every record of it the archive gives out."""
    return {
        "id": item.accession_id,
        "type": item.type,
        "title": item.title,
        "description": item.description,
        "date": item.date,
        "year_start": item.year_start,
        "year_end": item.year_end,
        "creator": item.creator,
        "place": item.place,
        "latitude": item.latitude,
        "longitude": item.longitude,
        "subjects": item.subjects,
        "rights": item.rights,
    }


def as_dict(item: Item) -> dict[str, Any]:
    """The item as `archive item show --json` prints it (a documented, stable shape)."""
    return {
        **described(item),
        "rights_note": item.rights_note,
        "access": item.access,
        "languages": item.languages,
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
                "score": t.score,
                "evidence": t.evidence,
            }
            for t in sorted(item.tags, key=lambda t: (t.vocabulary, t.term))
            if not t.removed
        ],
        "created_at": item.created_at.isoformat() + "Z",
        "updated_at": item.updated_at.isoformat() + "Z",
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


def images_remade(session: Session) -> None:
    """Pages' IIIF images were made again, which changes no row: raise the database's count of
    changes all the same, so that the catalogue makes again the pages it keeps (they show
    whether an item has images, and their sizes)."""
    session.execute(update(Change).where(Change.id == 1).values(count=Change.count + 1))
