"""Items as the search index takes them: plain documents, built from what the database holds,
with the fields the table (`archive.fields.FIELDS`) says the index holds. The archive knows
nothing of the index: `search_index.follow` hands it these documents after a unit of work
commits, and `archive reindex` hands it every one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from archive.fields import DATE, FIELDS
from archive.models import Item, Page, PageText, Tag

if TYPE_CHECKING:
    from archive.vocabulary import Concept

BATCH = 500
# The item's fields the index holds, besides its dates (as their years).
HELD = tuple(f.attribute for f in FIELDS if f.index and f.kind != DATE)

Vocabularies = Mapping[str, Mapping[str, "Concept"]]


def document(item: Item, vocabularies: Vocabularies) -> dict[str, Any]:
    tags: dict[str, list[str]] = {}
    for tag in item.tags:
        if not tag.removed:
            tags.setdefault(tag.vocabulary, []).append(tag.term)
    found = {name: _copy(getattr(item, name)) for name in HELD}
    return {
        "id": item.accession_id,
        **found,
        "collection": item.collection.slug if item.collection else None,
        "tags": {vocabulary: sorted(terms) for vocabulary, terms in sorted(tags.items())},
        "labels": labels(tags, vocabularies),
        "year_start": item.year_start,  # the index holds a date as its years
        "year_end": item.year_end,
        "added": item.created_at.isoformat(),
        "updated": last_change(item),
        "pages": [
            {"number": page.number, "text": page.text.text} for page in item.pages if page.text
        ],
    }


def _copy(value: Any) -> Any:
    """A map or list of its own, so that the document does not share the item's."""
    if isinstance(value, dict):
        return dict(value)
    return list(value) if isinstance(value, list) else value


def labels(tags: dict[str, list[str]], vocabularies: Vocabularies) -> dict[str, list[str]]:
    """language -> the labels (preferred, then alternative) of the concepts of `tags`, so that
    a visitor finds an item by its themes in any language, whatever language it is written in.
    A tag whose concept the vocabularies no longer hold (and the decades) has none."""
    found: dict[str, list[str]] = {}
    for vocabulary, terms in sorted(tags.items()):
        for term in sorted(terms):
            concept = vocabularies.get(vocabulary, {}).get(term)
            if concept is None:
                continue
            for lang, label in concept.pref.items():
                found.setdefault(lang, []).append(label)
            for lang, alternatives in concept.alt.items():
                found.setdefault(lang, []).extend(alternatives)
    return {lang: list(dict.fromkeys(values)) for lang, values in found.items()}


def last_change(item: Item) -> str:
    """When anything the index holds of the item last changed: its fields, tags or page texts."""
    moments = [item.updated_at, *(t.updated_at for t in item.tags)]
    moments += [text.created_at for page in item.pages for text in page.texts]
    return max(moments).isoformat()


def documents(
    session: Session, accession_ids: list[str] | None = None, *, vocabularies: Vocabularies
) -> Iterator[dict]:
    """Documents of the items named, or of every item (but those withdrawn: they are out of
    search), read in batches, with the labels their tags have in `vocabularies`."""
    query = (
        select(Item)
        .order_by(Item.id)
        .options(
            selectinload(Item.tags),
            selectinload(Item.collection),
            selectinload(Item.pages).selectinload(Page.texts),
        )
    )
    if accession_ids is not None:
        query = query.where(Item.accession_id.in_(accession_ids))
    query = query.where(Item.withdrawn_at.is_(None))  # withdrawn: out of search
    for item in session.scalars(query.execution_options(yield_per=BATCH)):
        yield document(item, vocabularies)


def count(session: Session) -> int:
    """How many items `documents` hands over when asked for every one."""
    return session.scalar(select(func.count(Item.id)).where(Item.withdrawn_at.is_(None))) or 0


def versions(session: Session) -> dict[str, str]:
    """id -> last change of every item (as `last_change` gives it), in three queries."""
    latest = {pk: (accession, updated) for pk, accession, updated in session.execute(
        select(Item.id, Item.accession_id, Item.updated_at).where(Item.withdrawn_at.is_(None))
    )}  # fmt: skip
    later = [
        select(Tag.item_id, func.max(Tag.updated_at)).group_by(Tag.item_id),
        select(Page.item_id, func.max(PageText.created_at))
        .join(PageText, PageText.page_id == Page.id)
        .group_by(Page.item_id),
    ]
    for query in later:
        for pk, moment in session.execute(query):
            if pk not in latest:  # withdrawn
                continue
            accession, updated = latest[pk]
            latest[pk] = (accession, max(updated, moment))
    return {accession: updated.isoformat() for accession, updated in latest.values()}
