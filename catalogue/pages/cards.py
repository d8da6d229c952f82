"""What the pages show of an item in a list (search results, recent additions, a collection, an
exhibition): its card, with its thumbnail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import url_for
from markupsafe import Markup

from archive import derivatives, public
from archive.home import Archive
from archive.models import Item
from catalogue import services
from catalogue.i18n import Localized, current, localized
from catalogue.pages.labels import display_date


@dataclass(frozen=True)
class Thumbnail:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Card:
    """An item in a list: search results, recent additions, a collection, an exhibition."""

    id: str
    type: str
    title: Localized
    date: str
    thumbnail: Thumbnail | None
    snippet: Markup | str = ""
    page: int | None = None

    @property
    def url(self) -> str:
        """The item's page, opened at the page the snippet or the entry is on."""
        shown = self.page if self.page and self.page > 1 else None
        return url_for("pages.item", accession_id=self.id, page=shown)


def thumbnail(archive: Archive, item: Item, page_number: int = 1) -> Thumbnail | None:
    """The page's thumbnail (a size its level-0 images were made at), or None without images."""
    page = next((p for p in item.pages if p.number == page_number), None)
    if page is None:
        return None
    return thumbnail_of(archive, item.accession_id, page_number, page.master.sha256, page.frame)


def thumbnail_of(
    archive: Archive, accession_id: str, page_number: int, sha256: str, frame: int
) -> Thumbnail | None:
    """The thumbnail of the page `page_number` of an item, a frame of the master `sha256`."""
    facts = derivatives.facts(archive.home, sha256, frame)
    if facts is None:
        return None
    width, height = facts.thumbnail
    url = url_for(
        "iiif.image",
        accession_id=accession_id,
        number=page_number,
        image=f"full/{width},{height}/0/default.jpg",
    )
    return Thumbnail(url, width, height)


def card(archive: Archive, item: Item, page: int | None = None) -> Card:
    """The card of an item already read whole, opening at `page` (None: the first)."""
    return listed_card(archive, public.Listed.of(item, page or 1), page)


def listed_card(archive: Archive, found: public.Listed, page: int | None) -> Card:
    """The card of what a list reads of an item (`public.listed`)."""
    shown = None
    if found.page is not None and found.sha256 is not None:
        shown = thumbnail_of(archive, found.accession_id, found.page, found.sha256, found.frame)
    return Card(
        id=found.accession_id,
        type=found.type,
        title=localized(found.title, found.accession_id),
        date=display_date(found.date),
        thumbnail=shown,
        page=page,
    )


def cards(archive: Archive, accession_ids: Iterable[str]) -> list[Card]:
    """Cards of the public items named, in that order, each opening at its first page."""
    ids = list(accession_ids)
    found = kept_cards(archive, [(i, None) for i in ids])
    return [found[i, None] for i in ids if (i, None) in found]


def kept_cards(
    archive: Archive, wanted: list[tuple[str, int | None]]
) -> dict[tuple[str, int | None], Card]:
    """Cards of the public items named, each opening at a page (None: the first), by (id,
    page); kept until the database changes. An item left out is not public."""
    language = current()

    def make(missing: list) -> dict:
        with services.reading() as session:
            found = public.listed(session, [(key[2], key[3] or 1) for key in missing])
        return {
            key: listed_card(archive, found[key[2], key[3] or 1], key[3])
            for key in missing
            if (key[2], key[3] or 1) in found
        }

    kept = services.remember_parts([("card", language, i, p) for i, p in wanted], make)
    return {(key[2], key[3]): value for key, value in kept.items()}
