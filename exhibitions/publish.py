"""Publishing exhibitions: the published definitions, an exhibition's manifest
with its items' images, and `exhibition build`, which writes it as a static file with the manifests
of its items and the Collections, under a folder whose layout mirrors the web addresses below
`/iiif/` (`items/ID/manifest.json`, `exhibitions/SLUG/manifest.json`, `collections/NAME.json`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.errors import NotFound
from archive.home import Archive
from archive.models import Item, Page, PublishedExhibition
from exhibitions import definition, manifests
from exhibitions.definition import Exhibition
from iiif import item_manifests
from iiif.addresses import exhibition_manifest_id
from iiif.collections import write_collections
from iiif.presentation import language_map, page_images, publisher, write_json

PUBLISHED, ARCHIVED = "published", "archived"  # the states of a published exhibition


def load_items(session: Session, accession_ids: Iterable[str]) -> dict[str, Item]:
    """The items named, with their pages and texts, in one query."""
    query = (
        select(Item)
        .where(Item.accession_id.in_(set(accession_ids)))
        .options(selectinload(Item.pages).selectinload(Page.texts))
        .options(selectinload(Item.pages).selectinload(Page.master))
    )
    return {item.accession_id: item for item in session.scalars(query)}


def exhibition_manifest(
    archive: Archive, session: Session, exhibition: Exhibition, site: str | None = None
) -> dict:
    """The exhibition's manifest; that of a copy published at `site`, with the copy's images,
    when given (see `manifests.exhibition_manifest`). An item that is not public (restricted
    since the definition was checked) is left out, never shown."""
    items = load_items(session, [entry.item for entry in exhibition.entries()])
    public = {key: item for key, item in items.items() if item.shown}
    images = {key: page_images(archive, item, site) for key, item in public.items()}
    return manifests.exhibition_manifest(exhibition, public, images, publisher(archive), site)


def definitions(archive: Archive) -> list[Exhibition]:
    """The published exhibitions, as they were last published: what the catalogue, the
    Collections, the sitemap and OAI-PMH show; the newest first. Drafts (files never
    published, or edited since) and archived exhibitions are not among them."""
    with archive.session() as session:
        rows = session.scalars(
            select(PublishedExhibition).where(PublishedExhibition.state == PUBLISHED)
        ).all()
    found = [published_version(row) for row in rows]
    public = [e for e in found if e is not None and e.access == "public"]
    return sorted(public, key=lambda e: (e.start or date.min, e.id), reverse=True)


def published_version(row: PublishedExhibition) -> Exhibition | None:
    """The exhibition a published row holds (it passed every check when published)."""
    exhibition, problems = definition.parse(row.definition, Path(row.file))
    return exhibition if not problems else None


def find_definition(archive: Archive, slug: str) -> Exhibition:
    for exhibition in definitions(archive):
        if exhibition.id == slug:
            return exhibition
    raise NotFound(f"no exhibition {slug}")


def build(archive: Archive, exhibition: Exhibition, out: Path) -> list[Path]:
    """Write the exhibition's manifest, the manifests of its items, and the Collections of all
    exhibitions and of the archive; return every path written."""
    written = []
    with archive.session() as session:
        document = exhibition_manifest(archive, session, exhibition)
        written.append(write_json(out, f"exhibitions/{exhibition.id}/manifest.json", document))
        items = load_items(session, [entry.item for entry in exhibition.entries()])
        for accession_id, item in sorted(items.items()):
            if item.shown:
                relative = f"items/{accession_id}/manifest.json"
                written.append(write_json(out, relative, item_manifests.manifest(archive, item)))
    written += write_collections(archive, out)
    return written


def log_published(archive: Archive) -> None:
    """Tell harvesters (IIIF Change Discovery) which exhibitions are published now, and which
    changed or went since they were last told: what `exhibition build` publishes."""
    from archive import published

    public = {exhibition.id for exhibition in definitions(archive)}
    with archive.session() as session:
        rows = session.scalars(select(PublishedExhibition)).all()
        # changed when its version was last published (a draft's edits are not public)
        shown = {row.slug: row.published_at.replace(microsecond=0) for row in rows}
    shown = {slug: at for slug, at in shown.items() if slug in public}
    with archive.change("exhibition build") as work:
        published.log_exhibitions(work.session, shown)


def reference(archive: Archive, exhibition: Exhibition) -> dict:
    """How a Collection names an exhibition's manifest, without building it."""
    base = archive.settings["base_url"]
    return {
        "id": exhibition_manifest_id(base, exhibition.id),
        "type": "Manifest",
        "label": language_map(exhibition.title),
    }
