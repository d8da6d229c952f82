"""The exhibitions: those on now, to come and past (`/exhibitions`), and each one with its
sections, captions and viewer (`/exhibitions/SLUG`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from flask import abort, render_template, url_for

from archive import public, views
from archive.errors import NotFound
from archive.home import Archive
from archive.models import Item
from catalogue import services
from catalogue.i18n import Localized, localized
from catalogue.pages.blueprint import blueprint
from catalogue.pages.cards import Card, card
from catalogue.pages.labels import display_date
from exhibitions import publish
from exhibitions.definition import Entry, Exhibition
from iiif.addresses import exhibition_manifest_id

MAX_SHOWN = 20  # pages of one exhibition entry offered to the viewer; the item's page has all


@dataclass(frozen=True)
class Shown:
    """One page of an exhibition's item, as the viewer shows it."""

    number: int
    info: str
    label: Localized


@dataclass(frozen=True)
class EntryView:
    card: Card
    caption: Localized
    shown: list[Shown]


def exhibition_groups(exhibitions: list[Exhibition]) -> dict[str, list[Exhibition]]:
    """The exhibitions on now, to come, and past (each newest first)."""
    today = date.today()
    groups: dict[str, list[Exhibition]] = {"current": [], "upcoming": [], "past": []}
    for exhibition in exhibitions:
        groups[when(exhibition, today)].append(exhibition)
    return groups


def when(exhibition: Exhibition, today: date) -> str:
    """`current`, `upcoming` or `past`; one without dates is current."""
    start, end = exhibition.start, exhibition.end or exhibition.start
    if start is not None and start > today:
        return "upcoming"
    if end is not None and end < today:
        return "past"
    return "current"


def exhibition_dates(exhibition: Exhibition) -> str:
    """When the exhibition is on, written as every date of the catalogue is."""
    if exhibition.start is None:
        return ""
    if exhibition.end is None or exhibition.end == exhibition.start:
        return display_date(exhibition.start.isoformat())
    return display_date(f"{exhibition.start.isoformat()}/{exhibition.end.isoformat()}")


@blueprint.get("/exhibitions")
def exhibitions() -> str:
    groups = exhibition_groups(publish.definitions(services.archive()))
    return render_template("exhibitions/exhibitions.html", groups=groups)


@blueprint.get("/exhibitions/<slug>")
def exhibition(slug: str) -> str:
    archive = services.archive()
    try:
        found = publish.find_definition(archive, slug)
    except NotFound:
        abort(404)
    views.count(archive, "exhibition", found.id)  # a number per day, nothing of the visitor
    return exhibition_page(archive, found, url_for("iiif.exhibition_manifest", slug=found.id))


def exhibition_page(archive: Archive, found: Exhibition, manifest_address: str) -> str:
    """The page of an exhibition, its manifest at `manifest_address` (the public one, or the
    workspace's preview of a draft): what the public gets, from either."""
    with services.reading() as session:
        items = public.by_ids(session, [entry.item for entry in found.entries()])
        sections = [
            (
                section,
                [entry_view(archive, e, items[e.item]) for e in section.entries if e.item in items],
            )
            for section in found.sections
        ]
    base = archive.settings["base_url"]
    manifest = exhibition_manifest_id(base, found.id)
    return render_template(
        "exhibitions/exhibition.html",
        exhibition=found,
        title=localized(found.title, found.id),
        sections=sections,
        manifest=manifest,
        manifest_link=manifest_address + "?manifest=" + quote(manifest, safe=":/"),
    )


def entry_view(archive: Archive, entry: Entry, item: Item) -> EntryView:
    """An entry's thumbnail and caption, and the pages it offers to the viewer: those the
    curator chose, else the item's (a long document's first MAX_SHOWN)."""
    held = {p.number for p in item.pages}
    numbers = [n for n in entry.pages if n in held] or sorted(held)[:MAX_SHOWN]
    caption = (
        localized(entry.caption) if entry.caption else localized(item.title, item.accession_id)
    )
    item_card = card(archive, item, page=numbers[0] if numbers else None)
    shown = [
        Shown(
            number=n,
            info=url_for("iiif.image_info", accession_id=item.accession_id, number=n),
            label=caption,
        )
        for n in numbers
    ]
    return EntryView(card=item_card, caption=caption, shown=shown)
