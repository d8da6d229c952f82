"""The sets an OAI-PMH harvester can ask for, and which items each holds.

- `collection`, `collection:FONDS`, `collection:FONDS:SERIES`, ...: the fonds/series/file tree,
  each set taking in those below it (a hierarchical setSpec);
- `exhibition`, `exhibition:SLUG`: the items shown in the published exhibitions;
- `convention`, `convention:ID`: the items tagged with a human-rights convention.

Only what holds public items is listed: an empty or wholly restricted collection is not named.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from archive import public
from archive.collections import Branch
from archive.home import Archive
from archive.models import Collection, Item, Tag
from exhibitions import publish

CONVENTION = "convention"
TOPS = {
    "collection": {"en": "Collections (fonds, series, files)", "vi": "Phông, mục lục, hồ sơ"},
    "exhibition": {"en": "Exhibitions", "vi": "Triển lãm"},
    CONVENTION: {"en": "Human-rights conventions", "vi": "Công ước quốc tế về quyền con người"},
}


@dataclass(frozen=True)
class OaiSet:
    spec: str
    name: dict[str, str]  # by language


def listed(archive: Archive, session: Session) -> list[OaiSet]:
    """Every set, each parent before the sets below it."""
    found = [OaiSet("collection", TOPS["collection"])]
    found += list(_collections(public.collections(session)))
    found.append(OaiSet("exhibition", TOPS["exhibition"]))
    found += [OaiSet(f"exhibition:{e.id}", e.title) for e in publish.definitions(archive)]
    found.append(OaiSet(CONVENTION, TOPS[CONVENTION]))
    concepts = archive.vocabularies.get(CONVENTION, {})
    for term in _conventions(session):
        concept = concepts.get(term)
        found.append(OaiSet(f"{CONVENTION}:{term}", concept.pref if concept else {"en": term}))
    return found


def _collections(nodes: list[Branch]) -> Iterator[OaiSet]:
    for node in nodes:
        yield OaiSet("collection:" + node.slug.replace("/", ":"), node.title or {"vi": node.slug})
        yield from _collections(node.children)


def _conventions(session: Session) -> list[str]:
    query = (
        select(Tag.term)
        .join(Item, Tag.item_id == Item.id)
        .where(Tag.vocabulary == CONVENTION, ~Tag.removed, public.PUBLIC)
        .group_by(Tag.term)
        .having(func.count() > 0)
        .order_by(Tag.term)
    )
    return list(session.scalars(query))


def members(archive: Archive, spec: str) -> Select | list[str] | None:
    """The accession ids of the items in set `spec` (a query, or a list); None when there is
    no such set. Restricted items are in it too: one that was public is reported deleted."""
    head, _, rest = spec.partition(":")
    if head == "collection":
        query = select(Item.accession_id).join(Collection, Item.collection_id == Collection.id)
        if not rest:
            return query
        slug = rest.replace(":", "/")
        return query.where((Collection.slug == slug) | Collection.slug.startswith(f"{slug}/"))
    if head == "exhibition":
        shown = publish.definitions(archive)
        if rest and rest not in {e.id for e in shown}:
            return None
        return sorted({en.item for e in shown if rest in ("", e.id) for en in e.entries()})
    if head == CONVENTION:
        query = select(Tag.item_id).where(Tag.vocabulary == CONVENTION, ~Tag.removed)
        if rest:
            query = query.where(Tag.term == rest)
        return select(Item.accession_id).where(Item.id.in_(query))
    return None


def of_items(archive: Archive, items: list[Item]) -> dict[str, list[str]]:
    """The sets each item (its collection and tags loaded) is in, by accession id."""
    exhibitions: dict[str, list[str]] = {}
    for exhibition in publish.definitions(archive):
        for entry in exhibition.entries():
            exhibitions.setdefault(entry.item, []).append(f"exhibition:{exhibition.id}")
    found = {}
    for item in items:
        specs = []
        if item.collection is not None:
            parts = item.collection.slug.split("/")
            specs += ["collection:" + ":".join(parts[:n]) for n in range(1, len(parts) + 1)]
        specs += sorted(set(exhibitions.get(item.accession_id, [])))
        terms = {t.term for t in item.tags if t.vocabulary == CONVENTION and not t.removed}
        specs += [f"{CONVENTION}:{term}" for term in sorted(terms)]
        found[item.accession_id] = specs
    return found
