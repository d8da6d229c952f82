"""The collections with public items, as a tree with their counts and titles, and their pages:
`/collections` and `/collections/SLUG`."""

from __future__ import annotations

from collections.abc import Iterable

from babel.numbers import format_decimal
from flask import abort, render_template, url_for

from archive import public
from archive.collections import Branch
from catalogue import services
from catalogue.i18n import Localized, current, gettext, localized
from catalogue.pages.blueprint import blueprint
from catalogue.pages.cards import cards
from catalogue.pages.forms import PER_PAGE, pagination, whole_number
from catalogue.pages.labels import display_date, number

_ = gettext


def collection_tree() -> list[Branch]:
    """The tree of collections with public items and their counts, kept until the database
    changes (read only: it is shared by the requests)."""

    def read() -> list[Branch]:
        with services.reading() as session:
            return public.collections(session)

    return services.remember("collections", read)


def titles_of_collections(full: bool = False) -> dict[str, Localized]:
    """`collection_titles` of the whole tree, in the page's language, kept likewise."""
    return services.remember(
        ("collection-titles", full, current()), lambda: collection_titles(collection_tree(), full)
    )


def collection_titles(
    nodes: Iterable[Branch], full: bool = False, above: Localized | None = None
) -> dict[str, Localized]:
    """Every collection's title by slug (one not yet titled goes by its name); with `full`,
    after the titles of those above it (in a facet, "Photographs" alone would not say whose)."""
    titles: dict[str, Localized] = {}
    for node in nodes:
        title = localized(node.title, node.name)
        if full and above is not None:
            title = Localized(f"{above.text} › {title.text}", title.lang)
        titles[node.slug] = title
        titles.update(collection_titles(node.children, full, title))
    return titles


@blueprint.get("/collections")
def collections() -> str:
    return render_template(
        "collections/collections.html", tree=collection_tree(), titles=titles_of_collections()
    )


@blueprint.get("/collections/<path:slug>")
def collection(slug: str) -> str:
    archive = services.archive()
    page = whole_number("page")
    trail = find_trail(collection_tree(), slug.strip("/"))
    if not trail:
        abort(404)
    node = trail[-1]
    with services.reading() as session:
        total, items = public.items(session, page, PER_PAGE, node.slug)
    listed = cards(archive, [item.accession_id for item in items])
    return render_template(
        "collections/collection.html",
        node=node,
        scope=localized(node.about.get("scope")),
        facts=facts(node),
        trail=trail,
        titles=titles_of_collections(),
        total=total,
        items=listed,
        pages=pagination(page, total, PER_PAGE, lambda n: collection_url(node.slug, n)),
    )


def facts(node: Branch) -> list[tuple[str, str]]:
    """(label, value) of the collection's description, as its page lists them."""
    about, found = node.about, []
    if about.get("dates"):
        found.append((_("Dates"), display_date(about["dates"])))
    if about.get("creator"):
        found.append((_("Creator"), about["creator"]))
    extent = []
    if about.get("extent_units") is not None:
        extent.append(_("%(num)s units", num=number(about["extent_units"])))
    if about.get("extent_metres") is not None:
        metres = format_decimal(about["extent_metres"], locale=current())
        extent.append(_("%(num)s linear metres", num=metres))
    if extent:
        found.append((_("Extent"), ", ".join(extent)))
    return found


def find_trail(nodes: list[Branch], slug: str) -> list[Branch]:
    """The collections from the fonds down to the one at `slug`; empty when there is none
    with public items."""
    for node in nodes:
        if node.slug == slug:
            return [node]
        if slug.startswith(node.slug + "/"):
            below = find_trail(node.children, slug)
            if below:
                return [node, *below]
    return []


def collection_url(slug: str, page: int) -> str:
    return url_for("pages.collection", slug=slug, page=page if page > 1 else None)
