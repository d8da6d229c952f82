"""Publishing IIIF: the manifests of items and exhibitions, and the Collections that list them,
written as static files under a folder whose layout mirrors the web addresses below `/iiif/`
(`items/ID/manifest.json`, `exhibitions/SLUG/manifest.json`, `collections/NAME.json`)."""

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
from archive.models import Item, Page
from archive.storage import derivative_path, write_atomically
from exhibitions import conformance, definition, manifests
from exhibitions.definition import Exhibition
from exhibitions.manifests import PageImage, Publisher

EXHIBITIONS_LABEL = {"vi": "Triển lãm", "en": "Exhibitions"}


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


def page_images(archive: Archive, item: Item) -> dict[int, PageImage]:
    """The published image of each page of `item` that has one, by page number."""
    base = archive.settings["base_url"]
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


def exhibition_manifest(archive: Archive, session: Session, exhibition: Exhibition) -> dict:
    """The exhibition's manifest. An item that is not public (restricted since the definition
    was checked) is left out, never shown."""
    items = load_items(session, [entry.item for entry in exhibition.entries()])
    public = {key: item for key, item in items.items() if item.access == "public"}
    images = {key: page_images(archive, item) for key, item in public.items()}
    return manifests.exhibition_manifest(exhibition, public, images, publisher(archive))


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
    """The Collection of every exhibition built into `out`, and the archive's top Collection."""
    shown = sorted((out / "exhibitions").glob("*/manifest.json"))
    members = [_reference(json.loads(path.read_text(encoding="utf-8"))) for path in shown]
    exhibitions, top = collections(archive, members)
    return [
        write_json(out, "collections/exhibitions.json", exhibitions),
        write_json(out, "collections/archive.json", top),
    ]


def collections(archive: Archive, members: list[dict]) -> tuple[dict, dict]:
    """The Collection of the exhibitions given (manifest references), and the archive's top
    Collection, which holds it."""
    owner = publisher(archive)
    exhibitions = manifests.collection(owner, "exhibitions", EXHIBITIONS_LABEL, members)
    return exhibitions, manifests.collection(owner, "archive", owner.name, [exhibitions])


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
