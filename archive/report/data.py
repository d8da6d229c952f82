"""What a plan's report reads from the database: one compact row per item (with the languages
of its title and description read by the database, not by loading them), pages per item, tags of
the counted vocabularies, the collections with their extents, the public log of items and the
daily counts of the catalogue's use. A handful of queries, whatever the number of items."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from archive.models import Collection, DailyViews, Page, PublicChange

# The keys of a JSON object (a language map), space-separated, by the database itself.
_KEYS = {
    "sqlite": "(SELECT group_concat(key, ' ') FROM json_each(items.{0}))",
    "postgresql": (
        "(CASE WHEN json_typeof(items.{0}) = 'object' THEN "
        "(SELECT string_agg(k, ' ') FROM json_object_keys(items.{0}) AS k) END)"
    ),
}


@dataclass(slots=True)
class ItemRow:
    id: int
    accession_id: str
    created_at: datetime
    shown: bool  # public and not withdrawn, now
    collection_id: int | None
    languages: list[str]  # of the material (ISO 639-3)
    described_in: set[str]  # the languages its title and description are written in
    pages: int = 0


@dataclass(slots=True)
class TagRow:
    item: int
    vocabulary: str
    term: str
    reviewed: bool  # a person's tag, or an automatic one a person accepted
    at: datetime  # its last change


@dataclass
class Holdings:
    items: dict[int, ItemRow]
    tags: list[TagRow]
    collections: list[Collection]
    public_log: dict[str, list[tuple[datetime, bool]]] = field(default_factory=dict)


def read(session: Session, vocabularies: list[str], public_only: bool = False) -> Holdings:
    items = _items(session, public_only)
    for item_id, pages in session.execute(
        select(Page.item_id, func.count()).group_by(Page.item_id)
    ):
        if item_id in items:
            items[item_id].pages = pages
    return Holdings(
        items,
        _tags(session, vocabularies, items),
        list(session.scalars(select(Collection).order_by(Collection.slug))),
        _public_log(session),
    )


def _items(session: Session, public_only: bool) -> dict[int, ItemRow]:
    """Every item (or every public one), by accession date: read as the driver gives the values
    (SQLite: text), since typing 100,000 rows through SQLAlchemy doubled the report's time."""
    keys = _KEYS[session.get_bind().dialect.name]
    shown = "(items.access = 'public' AND items.withdrawn_at IS NULL)"
    query = (
        f"SELECT items.id, items.accession_id, items.created_at, {shown}, items.collection_id, "
        f"items.languages, {keys.format('title')}, {keys.format('description')} FROM items"
        + (f" WHERE {shown}" if public_only else "")
        + " ORDER BY items.created_at"
    )
    found = {}
    described: dict[tuple, set[str]] = {}  # the same few sets, shared
    for row in session.execute(text(query)):
        written = described.setdefault((row[6], row[7]), _words(row[6]) | _words(row[7]))
        found[row[0]] = ItemRow(
            row[0], row[1], _moment(row[2]), bool(row[3]), row[4], _list(row[5]), written
        )
    return found


def _words(value: str | None) -> set[str]:
    return set((value or "").split())


def _moment(value) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _list(value) -> list[str]:
    if isinstance(value, str):
        return json.loads(value) if value != "[]" else []
    return list(value or [])


_TAGS = text(
    "SELECT item_id, vocabulary, term, source, review, updated_at FROM tags "
    "WHERE removed = :removed AND vocabulary IN :vocabularies"
).bindparams(bindparam("vocabularies", expanding=True))


def _tags(session: Session, vocabularies: list[str], items: dict[int, ItemRow]) -> list[TagRow]:
    """The tags of the counted vocabularies, not removed (read as the driver gives them)."""
    rows = session.execute(_TAGS, {"removed": False, "vocabularies": vocabularies})
    return [
        TagRow(item, vocabulary, term, source == "person" or review == "accepted", _moment(at))
        for item, vocabulary, term, source, review, at in rows
        if item in items
    ]


def _public_log(session: Session) -> dict[str, list[tuple[datetime, bool]]]:
    """Each item's moments of becoming public (True) and leaving the public (False), in order."""
    query = (
        select(PublicChange.target, PublicChange.at, PublicChange.activity)
        .where(PublicChange.kind == "item", PublicChange.activity != "update")
        .order_by(PublicChange.id)
    )
    found: dict[str, list[tuple[datetime, bool]]] = defaultdict(list)
    for target, at, activity in session.execute(query):
        found[target].append((at, activity == "create"))
    return found


def daily_counts(session: Session, routes: tuple[str, ...], start: date, end: date):
    """(day, route, key, count) of the catalogue's use from `start` to `end`, both included."""
    query = select(DailyViews.day, DailyViews.route, DailyViews.key, DailyViews.count).where(
        DailyViews.route.in_(routes), DailyViews.day >= start, DailyViews.day <= end
    )
    return list(session.execute(query))
