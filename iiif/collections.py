"""IIIF Collections: the archive's top Collection (`archive`), which holds the Collection of the
exhibitions and that of the items (`items`); the latter lists the items' manifests in Collections
of ITEMS_PER_COLLECTION each (`items-1`, `items-2`, …), in accession order, so that a harvester
finds every public item that has an image (and no other) from the top.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from iiif_prezi3 import Collection, CollectionRef, ManifestRef, Resource
from sqlalchemy import select

from archive import derivatives
from archive.errors import InvalidInput, NotFound
from archive.models import Item, Master, Page
from iiif.addresses import collection_id, item_manifest_id
from iiif.presentation import (
    Publisher,
    archive_agent,
    attribution,
    language_map,
    ordered,
    plain_data,
    publisher,
    write_json,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from archive.home import Archive

EXHIBITIONS_LABEL = {"vi": "Triển lãm", "en": "Exhibitions"}
ITEMS_LABEL = {"vi": "Tài liệu", "en": "Items"}
# Manifests per Collection of items: a harvester reads ~100 kB per page (~15 kB compressed).
ITEMS_PER_COLLECTION = 1000
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def collection(
    publisher: Publisher, name: str, label: dict[str, str], members: Sequence[dict]
) -> dict:
    """The Collection `name` listing `members` (Manifests or Collections, as full documents) by
    reference: id, type, label and thumbnail."""
    if not _NAME.match(name):
        raise InvalidInput(f"collection name {name!r}: lowercase letters, digits and hyphens")
    built = Collection(
        id=collection_id(publisher.base_url, name),
        label=language_map(label) or {"none": [name]},
        requiredStatement=attribution(publisher.name),
        provider=[archive_agent(publisher)],
        items=[_reference(member) for member in members],
    )
    return ordered(plain_data(built))


def _reference(member: dict) -> ManifestRef | CollectionRef:
    kind = member.get("type")
    if kind not in ("Manifest", "Collection"):
        raise InvalidInput(f"a Collection lists Manifests and Collections, not {kind!r}")
    thumbnail = [Resource.model_validate(t) for t in member.get("thumbnail", [])] or None
    reference = ManifestRef if kind == "Manifest" else CollectionRef
    return reference(id=member["id"], type=kind, label=member["label"], thumbnail=thumbnail)


def archive_collections(archive: Archive, members: list[dict]) -> tuple[dict, dict]:
    """The Collection of the exhibitions given (manifest references), and the archive's top
    Collection, which holds it and the Collection of the items."""
    owner = publisher(archive)
    exhibitions = collection(owner, "exhibitions", EXHIBITIONS_LABEL, members)
    items = {
        "id": collection_id(owner.base_url, "items"),
        "type": "Collection",
        "label": language_map(ITEMS_LABEL),
    }
    top = collection(owner, "archive", owner.name, [exhibitions, items])
    return exhibitions, top


def published_items(archive: Archive, session: Session) -> list[dict]:
    """A reference to the manifest of every public item whose first page has its images made
    (the others have no manifest yet), in accession order."""
    base = archive.settings["base_url"]
    query = (
        select(Item.accession_id, Item.title, Master.sha256, Page.frame)
        .join(Page, Page.item_id == Item.id)
        .join(Master, Page.master_id == Master.id)
        .where(Item.shown, Page.number == 1)
        .order_by(Item.accession_id)
    )
    return [
        {
            "id": item_manifest_id(base, accession),
            "type": "Manifest",
            "label": language_map(title) or {"none": [accession]},
        }
        for accession, title, sha256, frame in session.execute(query)
        if derivatives.made(archive.home, sha256, frame)
    ]


def items_collection(archive: Archive, items: list[dict]) -> dict:
    """The Collection of the items: one Collection per ITEMS_PER_COLLECTION of `items`
    (references to their manifests), each labelled with the accession numbers it runs from
    and to."""
    owner = publisher(archive)
    pages = [
        {
            "id": collection_id(owner.base_url, f"items-{number}"),
            "type": "Collection",
            "label": _span(page),
        }
        for number, page in enumerate(_pages(items), 1)
    ]
    return collection(owner, "items", ITEMS_LABEL, pages)


def items_page(archive: Archive, items: list[dict], number: int) -> dict:
    """The Collection `items-NUMBER`: the NUMBER-th ITEMS_PER_COLLECTION of `items` (from 1);
    NotFound past the last."""
    pages = _pages(items)
    if not 1 <= number <= len(pages):
        raise NotFound(f"no Collection items-{number}")
    page = pages[number - 1]
    label = {lang: text[0] for lang, text in _span(page).items()}
    return collection(publisher(archive), f"items-{number}", label, page)


def _pages(items: list[dict]) -> list[list[dict]]:
    size = ITEMS_PER_COLLECTION
    return [items[start : start + size] for start in range(0, len(items), size)]


def _span(page: list[dict]) -> dict[str, list[str]]:
    first, last = (ref["id"].rsplit("/", 2)[-2] for ref in (page[0], page[-1]))
    return {"vi": [f"Tài liệu {first} – {last}"], "en": [f"Items {first} – {last}"]}


def write_collections(archive: Archive, out: Path) -> list[Path]:
    """The Collections of the exhibitions and of the items built into `out` (those still public),
    and the archive's top Collection."""
    shown = sorted((out / "exhibitions").glob("*/manifest.json"))
    members = [_member(_read(path)) for path in shown]
    built = {path.parent.name: path for path in sorted((out / "items").glob("*/manifest.json"))}
    with archive.session() as session:
        public = _public(session, list(built))
    items = [_member(_read(path)) for name, path in built.items() if name in public]
    exhibitions, top = archive_collections(archive, members)
    documents = {"exhibitions": exhibitions, "archive": top}
    documents["items"] = items_collection(archive, items)
    for number in range(1, len(_pages(items)) + 1):
        documents[f"items-{number}"] = items_page(archive, items, number)
    return [write_json(out, f"collections/{name}.json", doc) for name, doc in documents.items()]


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _public(session: Session, accession_ids: list[str]) -> set[str]:
    query = select(Item.accession_id).where(Item.accession_id.in_(accession_ids), Item.shown)
    return set(session.scalars(query))


def _member(document: dict) -> dict:
    keep = ("id", "type", "label", "summary", "thumbnail", "navDate")
    return {key: document[key] for key in keep if key in document}
