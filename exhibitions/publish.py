"""Publishing IIIF: the manifests of items and exhibitions, and the Collections that list them,
written as static files under a folder whose layout mirrors the web addresses below `/iiif/`
(`items/ID/manifest.json`, `exhibitions/SLUG/manifest.json`, `collections/NAME.json`).

The archive's top Collection (`archive`) holds the Collection of the exhibitions and that of the
items (`items`), which lists the items' manifests in Collections of ITEMS_PER_COLLECTION each
(`items-1`, `items-2`, …), in accession order, so that a harvester finds every public item that
has an image (and no other) from the top.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.derivatives import Derivative, read_facts
from archive.errors import InvalidInput, NotFound
from archive.home import Archive
from archive.models import Item, Master, Page
from archive.storage import derivative_path, write_atomically
from exhibitions import conformance, definition, manifests
from exhibitions.definition import Exhibition
from exhibitions.manifests import PageImage, Publisher

EXHIBITIONS_LABEL = {"vi": "Triển lãm", "en": "Exhibitions"}
ITEMS_LABEL = {"vi": "Tài liệu", "en": "Items"}
# Manifests per Collection of items: a harvester reads ~100 kB per page (~15 kB compressed).
ITEMS_PER_COLLECTION = 1000


def publisher(archive: Archive) -> Publisher:
    settings = archive.settings
    return Publisher(
        base_url=settings["base_url"],
        name={"vi": settings["publisher_vi"], "en": settings["publisher_en"]},
        homepage=settings["base_url"] + "/",
    )


def image_service(base_url: str, accession_id: str, number: int) -> str:
    return f"{base_url}/iiif/images/{accession_id}/{number}"


def page_facts(home: Path, page: Page) -> Derivative | None:
    """The facts of a page's IIIF images, or None when they have not been made."""
    return facts(home, page.master.sha256, page.frame)


def facts(home: Path, sha256: str, frame: int) -> Derivative | None:
    """The facts of the IIIF images of a frame of the master `sha256`, or None."""
    return read_facts(home / derivative_path(sha256, frame))


def page_images(archive: Archive, item: Item, base: str | None = None) -> dict[int, PageImage]:
    """The published image of each page of `item` that has one, by page number, its service
    under `base` (default: the catalogue's base_url)."""
    base = base or archive.settings["base_url"]
    found = {}
    for page in item.pages:
        facts = page_facts(archive.home, page)
        if facts is not None:
            found[page.number] = PageImage(
                service=image_service(base, item.accession_id, page.number),
                width=facts.width,
                height=facts.height,
                thumbnail=facts.thumbnail,
            )
    return found


def load_items(session: Session, accession_ids: Iterable[str]) -> dict[str, Item]:
    """The items named, with their pages and texts, in one query."""
    query = (
        select(Item)
        .where(Item.accession_id.in_(set(accession_ids)))
        .options(selectinload(Item.pages).selectinload(Page.texts))
        .options(selectinload(Item.pages).selectinload(Page.master))
    )
    return {item.accession_id: item for item in session.scalars(query)}


def item_manifest(archive: Archive, item: Item) -> dict:
    return manifests.item_manifest(item, page_images(archive, item), publisher(archive))


def exhibition_manifest(
    archive: Archive, session: Session, exhibition: Exhibition, site: str | None = None
) -> dict:
    """The exhibition's manifest; that of a copy published at `site`, with the copy's images,
    when given (see `manifests.exhibition_manifest`). An item that is not public (restricted
    since the definition was checked) is left out, never shown."""
    items = load_items(session, [entry.item for entry in exhibition.entries()])
    public = {key: item for key, item in items.items() if item.access == "public"}
    images = {key: page_images(archive, item, site) for key, item in public.items()}
    return manifests.exhibition_manifest(exhibition, public, images, publisher(archive), site)


def definitions(archive: Archive) -> list[Exhibition]:
    """The public exhibitions whose definitions, in the archive home's `exhibitions/`, read
    without a problem; the newest first."""
    found = []
    for path in sorted((archive.home / "exhibitions").glob("*.yaml")):
        exhibition, problems = definition.load(path)
        if exhibition is not None and not problems and exhibition.access == "public":
            found.append(exhibition)
    return sorted(found, key=lambda e: (e.start or date.min, e.id), reverse=True)


def find_definition(archive: Archive, slug: str) -> Exhibition:
    for exhibition in definitions(archive):
        if exhibition.id == slug:
            return exhibition
    raise NotFound(f"no exhibition {slug}")


def write_json(out: Path, relative: str, document: dict) -> Path:
    """Write a IIIF document, refusing one that is not valid Presentation 3.0."""
    problems = conformance.problems(document)
    if problems:
        raise InvalidInput(f"{relative} would not be valid IIIF: " + "; ".join(problems[:5]))
    target = out / relative
    data = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    write_atomically(target, data.encode("utf-8"))
    return target


def build(archive: Archive, exhibition: Exhibition, out: Path) -> list[Path]:
    """Write the exhibition's manifest, the manifests of its items, and the Collections of all
    exhibitions and of the archive; return every path written."""
    written = []
    with archive.session() as session:
        document = exhibition_manifest(archive, session, exhibition)
        written.append(write_json(out, f"exhibitions/{exhibition.id}/manifest.json", document))
        items = load_items(session, [entry.item for entry in exhibition.entries()])
        for accession_id, item in sorted(items.items()):
            if item.access == "public":
                relative = f"items/{accession_id}/manifest.json"
                written.append(write_json(out, relative, item_manifest(archive, item)))
    written += write_collections(archive, out)
    return written


def write_collections(archive: Archive, out: Path) -> list[Path]:
    """The Collections of the exhibitions and of the items built into `out` (those still public),
    and the archive's top Collection."""
    shown = sorted((out / "exhibitions").glob("*/manifest.json"))
    members = [_reference(_read(path)) for path in shown]
    built = {path.parent.name: path for path in sorted((out / "items").glob("*/manifest.json"))}
    with archive.session() as session:
        public = _public(session, list(built))
    items = [_reference(_read(path)) for name, path in built.items() if name in public]
    exhibitions, top = collections(archive, members)
    documents = {"exhibitions": exhibitions, "archive": top}
    documents["items"] = items_collection(archive, items)
    for number in range(1, len(_pages(items)) + 1):
        documents[f"items-{number}"] = items_page(archive, items, number)
    return [write_json(out, f"collections/{name}.json", doc) for name, doc in documents.items()]


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _public(session: Session, accession_ids: list[str]) -> set[str]:
    query = select(Item.accession_id).where(
        Item.accession_id.in_(accession_ids), Item.access == "public"
    )
    return set(session.scalars(query))


def collections(archive: Archive, members: list[dict]) -> tuple[dict, dict]:
    """The Collection of the exhibitions given (manifest references), and the archive's top
    Collection, which holds it and the Collection of the items."""
    owner = publisher(archive)
    exhibitions = manifests.collection(owner, "exhibitions", EXHIBITIONS_LABEL, members)
    items = {
        "id": manifests.collection_id(owner.base_url, "items"),
        "type": "Collection",
        "label": manifests.language_map(ITEMS_LABEL),
    }
    top = manifests.collection(owner, "archive", owner.name, [exhibitions, items])
    return exhibitions, top


def published_items(archive: Archive, session: Session) -> list[dict]:
    """A reference to the manifest of every public item whose first page has its images made
    (the others have no manifest yet), in accession order."""
    base = archive.settings["base_url"]
    query = (
        select(Item.accession_id, Item.title, Master.sha256, Page.frame)
        .join(Page, Page.item_id == Item.id)
        .join(Master, Page.master_id == Master.id)
        .where(Item.access == "public", Page.number == 1)
        .order_by(Item.accession_id)
    )
    return [
        {
            "id": manifests.item_manifest_id(base, accession),
            "type": "Manifest",
            "label": manifests.language_map(title) or {"none": [accession]},
        }
        for accession, title, sha256, frame in session.execute(query)
        if (archive.home / derivative_path(sha256, frame) / "info.json").exists()
    ]


def items_collection(archive: Archive, items: list[dict]) -> dict:
    """The Collection of the items: one Collection per ITEMS_PER_COLLECTION of `items`
    (references to their manifests), each labelled with the accession numbers it runs from
    and to."""
    owner = publisher(archive)
    pages = [
        {
            "id": manifests.collection_id(owner.base_url, f"items-{number}"),
            "type": "Collection",
            "label": _span(page),
        }
        for number, page in enumerate(_pages(items), 1)
    ]
    return manifests.collection(owner, "items", ITEMS_LABEL, pages)


def items_page(archive: Archive, items: list[dict], number: int) -> dict:
    """The Collection `items-NUMBER`: the NUMBER-th ITEMS_PER_COLLECTION of `items` (from 1);
    NotFound past the last."""
    pages = _pages(items)
    if not 1 <= number <= len(pages):
        raise NotFound(f"no Collection items-{number}")
    page = pages[number - 1]
    label = {lang: text[0] for lang, text in _span(page).items()}
    return manifests.collection(publisher(archive), f"items-{number}", label, page)


def _pages(items: list[dict]) -> list[list[dict]]:
    size = ITEMS_PER_COLLECTION
    return [items[start : start + size] for start in range(0, len(items), size)]


def _span(page: list[dict]) -> dict[str, list[str]]:
    first, last = (ref["id"].rsplit("/", 2)[-2] for ref in (page[0], page[-1]))
    return {"vi": [f"Tài liệu {first} – {last}"], "en": [f"Items {first} – {last}"]}


def reference(archive: Archive, exhibition: Exhibition) -> dict:
    """How a Collection names an exhibition's manifest, without building it."""
    base = archive.settings["base_url"]
    return {
        "id": manifests.exhibition_manifest_id(base, exhibition.id),
        "type": "Manifest",
        "label": manifests.language_map(exhibition.title),
    }


def _reference(document: dict) -> dict:
    keep = ("id", "type", "label", "summary", "thumbnail", "navDate")
    return {key: document[key] for key in keep if key in document}
