"""The home page, `/`: what the archive holds, its collections, its latest additions and its
exhibitions."""

from __future__ import annotations

from flask import render_template

from archive import public
from archive.home import Archive
from catalogue import services
from catalogue.i18n import current
from catalogue.pages.blueprint import blueprint
from catalogue.pages.cards import Card, cards
from catalogue.pages.collections import collection_tree, titles_of_collections
from catalogue.pages.exhibitions import exhibition_groups
from exhibitions import publish

RECENT = 8


@blueprint.get("/")
def home() -> str:
    archive = services.archive()
    held, recent = services.remember(("home", current()), lambda: _holdings(archive))
    return render_template(
        "home/home.html",
        held=held,
        tree=collection_tree(),
        titles=titles_of_collections(),
        recent=recent,
        # read each time: a curator's file can change without the database knowing
        exhibitions=exhibition_groups(publish.definitions(archive)),
    )


def _holdings(archive: Archive) -> tuple[public.Holdings, list[Card]]:
    with services.reading() as session:
        held = public.holdings(session)
        recent = [item.accession_id for item in public.recent(session, RECENT)]
    return held, cards(archive, recent)
