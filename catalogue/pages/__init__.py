"""The public pages, in Vietnamese and English: home, search, an item with its deep-zoom viewer,
the collections, the exhibitions, and the error pages. They read through the public read
service and the search index, so a restricted item is not on any of them: its page is a 404
like an unknown one, and it is in no list, count or facet.

Addresses are stable (they are cited): `/`, `/search`, `/items/ID`, `/collections`,
`/collections/SLUG`, `/exhibitions`, `/exhibitions/SLUG`. A parameter that makes no sense (a
page number that is not one, an unknown sort or filter) is ignored, never an error.

Pages are cacheable for a minute (`public, max-age=60`, `Vary: Cookie`: the language can come
from the cookie) with an ETag; the stylesheet, the script and the viewer are cacheable for a
year, their addresses carrying a hash of their content so that a change is fetched at once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from babel.dates import format_skeleton
from babel.numbers import get_group_symbol
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import format_date, format_decimal, get_locale
from markupsafe import Markup
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.exceptions import HTTPException

from archive import public
from archive.errors import InvalidInput, NotFound
from archive.home import Archive
from archive.models import Item, Page
from catalogue import services
from catalogue.i18n import LANGUAGES, Localized, current, gettext, localized
from exhibitions import manifests, publish
from exhibitions.definition import Entry, Exhibition
from exhibitions.export import VIEWER
from search_index import query as search_query
from search_index.schema import VOCABULARIES
from search_index.service import FILTER_NAMES

_ = gettext

CATALOGUE = Path(__file__).parent.parent
blueprint = Blueprint("pages", __name__, template_folder=CATALOGUE / "templates")

STATIC = CATALOGUE / "static"
PAGE_MAX_AGE = 60  # seconds: an archivist's correction shows within a minute
ASSET_MAX_AGE = 365 * 86400  # addresses change with the content (`?v=`), so a year is safe
PER_PAGE = 20
RECENT = 8
MAX_PAGE = 10_000  # deeper than any reader goes
MAX_QUERY = 500  # characters of a search kept (the index reads at most 2000)
MAX_WITHIN = 200  # characters of a search inside an item (Content Search reads no more)
MAX_VALUE = 200  # characters of one filter value: slugs and terms are far shorter
MAX_VALUES = 20  # values of one filter
MAX_ID = 40  # characters of an accession id (the column's size)
SORTS = ("relevance", "date", "-date")
# The filters a search page takes are the search service's (`tag` and `year` are reached from
# an item's tags and dates, not from a facet); its facets, in the order the page shows them.
FILTERS = FILTER_NAMES
FACETS = (
    "type",
    "collection",
    "decade",
    "convention",
    "theme",
    "district",
    "ethnic-group",
    "language",
)
FACET_VALUES = 10  # values of a facet shown before "show all"
VOCABULARY_FILTERS = VOCABULARIES  # a tag of these is a filter of its own
PAGE_WINDOW = 2  # page links shown on each side of the current one
# Items name their languages in ISO 639-3; `lang` attributes and Babel's names use ISO 639-1
# where there is such a code.
TAGS_639_1 = {"vie": "vi", "eng": "en", "fra": "fr", "rus": "ru", "zho": "zh"}
MAX_SHOWN = 20  # pages of one exhibition entry offered to the viewer; the item's page has all
QUERY_SAFE = "!$'()*,/:;?@"  # what url_for leaves unquoted in a query string (werkzeug's)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FULL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    # Flask's own static route (catalogue/static) answers with ETags; this makes it cacheable
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = ASSET_MAX_AGE
    helpers = (
        address,
        asset_url,
        viewer_url,
        number,
        type_label,
        decade_label,
        exhibition_dates,
        text_source_label,
    )
    for helper in helpers:
        app.add_template_global(helper)
    app.context_processor(_site)


def _site() -> dict[str, Any]:
    """What every page shows of the archive itself."""
    settings = services.archive().settings
    return {
        "site_name": localized({"vi": settings["publisher_vi"], "en": settings["publisher_en"]}),
        "base_url": settings["base_url"],
    }


# ---------------------------------------------------------------------------------------------
# Labels: what the archive's values are called in the page's language. The tables hold the
# messages (marked for extraction by N_); only the one shown is translated, when it is shown.


def N_(message: str) -> str:
    return message


TYPE_LABELS = {"photo": N_("Photograph"), "document": N_("Document")}
FACET_LABELS = {
    "type": N_("Type"),
    "collection": N_("Collection"),
    "decade": N_("Decade"),
    "convention": N_("Convention"),
    "theme": N_("Theme"),
    "district": N_("District"),
    "ethnic-group": N_("Ethnic group"),
    "language": N_("Language"),
    "tag": N_("Tag"),
    "year": N_("Years"),
}
# The province's languages, which Babel's locale data does not name.
OWN_LANGUAGES = {
    "bdq": N_("Bahnar"),
    "sed": N_("Sedang"),
    "jra": N_("Jarai"),
    "jeh": N_("Jeh"),
    "brb": N_("Brao"),
    "rmx": N_("Romam"),
}
RIGHTS_STATEMENTS = {
    "InC": N_("In Copyright"),
    "InC-OW-EU": N_("In Copyright - EU Orphan Work"),
    "InC-EDU": N_("In Copyright - Educational Use Permitted"),
    "InC-NC": N_("In Copyright - Non-Commercial Use Permitted"),
    "InC-RUU": N_("In Copyright - Rights-holder(s) Unlocatable or Unidentifiable"),
    "NoC-CR": N_("No Copyright - Contractual Restrictions"),
    "NoC-NC": N_("No Copyright - Non-Commercial Use Only"),
    "NoC-OKLR": N_("No Copyright - Other Known Legal Restrictions"),
    "NoC-US": N_("No Copyright - United States"),
    "CNE": N_("Copyright Not Evaluated"),
    "UND": N_("Copyright Undetermined"),
    "NKC": N_("No Known Copyright"),
}
TEXT_SOURCES = {
    "ocr": N_("Read by machine (OCR); it may contain mistakes."),
    "pdf-text": N_("The text layer of the PDF file."),
    "person": N_("Transcribed by a person."),
}
SORT_LABELS = {
    "relevance": N_("Relevance"),
    "date": N_("Date, oldest first"),
    "-date": N_("Date, newest first"),
}


def _translated(table: dict[str, str], key: str) -> str | None:
    message = table.get(key)
    return _(message) if message is not None else None


def type_label(value: str) -> str:
    return _translated(TYPE_LABELS, value) or value


def facet_label(name: str) -> str:
    return _translated(FACET_LABELS, name) or name


def decade_label(value: str) -> str:
    """`1970s` -> "the 1970s" in the page's language (a year is never grouped: 1970, not 1.970)."""
    match = re.fullmatch(r"(\d{3,4})s", value)
    return _("%(decade)ss", decade=match.group(1)) if match else value


def language_label(code: str) -> str:
    """The name of a language from its ISO 639-3 (or 639-1) code, in the page's language."""
    own = _translated(OWN_LANGUAGES, code)
    if own is not None:
        return own
    locale = get_locale()
    name = locale.languages.get(TAGS_639_1.get(code, code)) if locale is not None else None
    return name or code


def concept_label(vocabulary: str, term: str) -> Localized:
    if vocabulary == "decade":
        return Localized(decade_label(term), current())
    concept = services.archive().vocabularies.get(vocabulary, {}).get(term)
    return localized(concept.pref, term) if concept is not None else Localized(term, current())


def value_label(name: str, value: str, collections: dict[str, Localized]) -> Localized:
    """A facet's or a filter's value as a reader knows it."""
    if name == "type":
        return Localized(type_label(value), current())
    if name == "collection":
        return collections.get(value) or Localized(value, current())
    if name == "language":
        return Localized(language_label(value), current())
    if name in VOCABULARY_FILTERS:
        return concept_label(name, value)
    if name == "tag":
        return _tag_label(value)
    return Localized(value, current())


def _tag_label(value: str) -> Localized:
    """A `tag` filter names a term of any vocabulary."""
    for name, concepts in services.archive().vocabularies.items():
        if value in concepts:
            return concept_label(name, value)
    return Localized(value, current())


def rights_label(uri: str) -> str:
    """The name of a RightsStatements.org statement or a Creative Commons licence."""
    statement = re.fullmatch(r"https?://rightsstatements\.org/vocab/([A-Za-z-]+)/1\.0/?", uri)
    named = _rights_statement(statement.group(1)) if statement else None
    if named:
        return named
    licence = re.fullmatch(
        r"https?://creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/?([0-9.]+)?/?", uri
    )
    if licence:
        kind, name, version = licence.groups()
        if kind == "publicdomain":
            named = {"zero": "CC0", "mark": _("Public Domain Mark")}.get(name, name)
        else:
            named = "CC " + name.upper()
        return f"{named} {version}" if version else named
    return uri


def _rights_statement(code: str) -> str | None:
    return _translated(RIGHTS_STATEMENTS, code)


def text_source_label(source: str) -> str:
    return _translated(TEXT_SOURCES, source) or source


def display_date(edtf: str | None) -> str:
    """An EDTF date as a reader expects it: a day or a month in the page's language, a range
    with a dash, anything else as the archivist wrote it."""
    if not edtf:
        return ""
    locale = get_locale()
    day, month = _FULL_DATE.match(edtf), _MONTH.match(edtf)
    try:
        if day:
            return format_date(date(*map(int, day.groups())), "long")
        if month:
            when = date(int(month.group(1)), int(month.group(2)), 1)
            return format_skeleton("yMMMM", when, locale=locale)
    except ValueError:  # 2023-02-30 is EDTF-shaped but no day
        return edtf
    return edtf.replace("/", "–")


def number(value: int) -> str:
    """A count, grouped as the page's language writes it (1.234 in Vietnamese, 1,234 in English).
    A page of results writes hundreds (the facets'): grouping by threes with the language's
    symbol is what Babel's pattern does for both languages (#,##0.###), at a fiftieth of its
    cost; another language goes through Babel."""
    lang = current()
    if lang in LANGUAGES and isinstance(value, int):
        return f"{value:,}".replace(",", _group_symbol(lang))
    return format_decimal(value)


@functools.cache
def _group_symbol(lang: str) -> str:
    return get_group_symbol(lang)


# ---------------------------------------------------------------------------------------------
# What pages show of items


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
    facts = publish.facts(archive.home, sha256, frame)
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
            key: _packed(listed_card(archive, found[key[2], key[3] or 1], key[3]))
            for key in missing
            if (key[2], key[3] or 1) in found
        }

    kept = services.remember_parts([("card", language, i, p) for i, p in wanted], make)
    return {(key[2], key[3]): _unpacked(value) for key, value in kept.items()}


# Cards are kept by the ten thousand, as plain tuples of text and numbers: the garbage
# collector stops following those (not objects, nor even named tuples), and its full
# collections, which stop every request of a worker, took tens of milliseconds more with them.


def _packed(card: Card) -> tuple:
    thumbnail = card.thumbnail
    return (
        card.id,
        card.type,
        (card.title.text, card.title.lang),
        card.date,
        (thumbnail.url, thumbnail.width, thumbnail.height) if thumbnail else None,
        card.page,
    )


def _unpacked(packed: tuple) -> Card:
    id_, type_, title, date_, thumbnail, page = packed
    shown = Thumbnail(*thumbnail) if thumbnail else None
    return Card(id=id_, type=type_, title=Localized(*title), date=date_, thumbnail=shown, page=page)


def collection_tree() -> list[public.Node]:
    """The tree of collections with public items and their counts, kept until the database
    changes (read only: it is shared by the requests)."""

    def read() -> list[public.Node]:
        with services.reading() as session:
            return public.collections(session)

    return services.remember("collections", read)


def titles_of_collections(full: bool = False) -> dict[str, Localized]:
    """`collection_titles` of the whole tree, in the page's language, kept likewise."""
    return services.remember(
        ("collection-titles", full, current()), lambda: collection_titles(collection_tree(), full)
    )


def collection_titles(nodes: Iterable[public.Node], full: bool = False) -> dict[str, Localized]:
    """Every collection's title by slug; one without a title goes by its name, or with `full`
    by its whole path (in a facet, `anh` alone would not say whose photographs)."""
    titles: dict[str, Localized] = {}
    for node in nodes:
        titles[node.slug] = localized(node.title, node.slug if full else node.name)
        titles.update(collection_titles(node.children, full))
    return titles


# ---------------------------------------------------------------------------------------------
# Reading the query string: anything unexpected is dropped, never an error


def clean(value: str, limit: int) -> str:
    """A parameter as NFC text with no control characters (NUL among them), at most `limit`."""
    value = unicodedata.normalize("NFC", value[: limit * 4])
    return _CONTROL.sub(" ", value).strip()[:limit]


def whole_number(name: str, default: int = 1, highest: int = MAX_PAGE) -> int:
    """A positive whole number parameter, at most `highest`; `default` for anything else."""
    raw = request.args.get(name, "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return default
    return min(max(1, int(raw)), highest)


@dataclass
class SearchForm:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    more: str | None = None  # the facet shown with all its values (not kept by the links)

    def params(self, **changes: Any) -> dict[str, Any]:
        """The query string of this search with `changes` (a filter's list, `sort`, `page`)."""
        values: dict[str, Any] = {"q": self.q or None, **self.filters}
        values["sort"] = None if self.sort == "relevance" else self.sort
        values["page"] = self.page if self.page > 1 else None
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", [])}

    def url(self, **changes: Any) -> str:
        """As url_for writes it; a page of results links to a hundred such searches, and
        url_for took a fifth of the page's time."""
        pairs = [
            (key, value)
            for key, values in self.params(**changes).items()
            for value in (values if isinstance(values, list) else [values])
        ]
        query = urlencode(pairs, safe=QUERY_SAFE)
        return f"{self.path}?{query}" if query else self.path

    @functools.cached_property
    def path(self) -> str:
        return url_for("pages.search")

    def adding(self, name: str, value: str) -> str:
        return self.url(page=None, **{name: [*self.filters.get(name, []), value]})

    def removing(self, name: str, value: str) -> str:
        kept = [v for v in self.filters.get(name, []) if v != value]
        return self.url(page=None, **{name: kept})

    def chosen(self, name: str, value: str) -> bool:
        return value in self.filters.get(name, [])


def search_form() -> SearchForm:
    filters: dict[str, list[str]] = {}
    for name in FILTERS:
        values = [clean(v, MAX_VALUE) for v in request.args.getlist(name)[:MAX_VALUES]]
        values = list(dict.fromkeys(v for v in values if v))
        if name == "year":  # a range the index cannot read is left out, not an error
            values = [v for v in values if search_query.years(v) is not None]
        if values:
            filters[name] = values
    sort = request.args.get("sort", "relevance")
    more = request.args.get("more")
    return SearchForm(
        q=clean(request.args.get("q", ""), MAX_QUERY),
        filters=filters,
        sort=sort if sort in SORTS else "relevance",
        page=whole_number("page"),
        more=more if more in FACETS else None,
    )


# ---------------------------------------------------------------------------------------------
# Pagination


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class Pagination:
    page: int
    last: int
    links: list[PageLink | None]  # None: a gap
    previous: str | None
    next: str | None


def pagination(page: int, total: int, per_page: int, url) -> Pagination | None:
    """Links to the pages around `page`, the first and the last; None for a single page."""
    last = max(1, -(-total // per_page))
    if last == 1:
        return None
    shown = sorted({1, last, *range(max(1, page - PAGE_WINDOW), min(last, page + PAGE_WINDOW) + 1)})
    links: list[PageLink | None] = []
    for number_ in shown:
        if links and links[-1] is not None and number_ - links[-1].number > 1:
            links.append(None)
        links.append(PageLink(number_, url(number_), number_ == page))
    return Pagination(
        page=page,
        last=last,
        links=links,
        previous=url(page - 1) if page > 1 else None,
        next=url(page + 1) if page < last else None,
    )


# ---------------------------------------------------------------------------------------------
# Home


@blueprint.get("/")
def home() -> str:
    archive = services.archive()
    held, recent = services.remember(("home", current()), lambda: _holdings(archive))
    return render_template(
        "home.html",
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


# ---------------------------------------------------------------------------------------------
# Search


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    label: Localized
    chosen: bool
    url: str


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue]
    total: int = 0  # values in all, when some are not shown
    more: str | None = None  # the search again with all of them


@dataclass(frozen=True)
class Chosen:
    name: str
    label: str
    value: Localized
    remove: str


@blueprint.get("/search")
def search() -> Response:
    # The page at this address in this language, kept until the database or the search index
    # next changes (the same search again, the next visitor's, is then served as it was made).
    index = services.search_index().version()
    return kept_page(("search", current(), request.query_string, index), _search_page)


def _search_page() -> str:
    form = search_form()
    archive = services.archive()
    results = _search(form)
    titles = titles_of_collections(full=True)
    found = kept_cards(archive, [(hit.id, hit.page) for hit in results.hits])
    hits = [
        # without words there is nothing to show in context: the snippet is the title again
        replace(found[hit.id, hit.page], snippet=Markup(hit.snippet) if form.q else "")
        for hit in results.hits
        if (hit.id, hit.page) in found  # restricted since it was indexed: not shown
    ]
    return render_template(
        "search.html",
        form=form,
        results=results,
        hits=hits,
        facets=facets(results.facets, form, titles),
        chosen=chosen_filters(form, titles),
        pages=pagination(form.page, results.total, PER_PAGE, lambda n: form.url(page=n)),
        sorts=[(s, sort_label(s)) for s in SORTS],
    )


def _search(form: SearchForm):
    index = services.search_index()

    def run():
        return index.search(
            form.q,
            filters=form.filters,
            public_only=True,
            sort=form.sort,
            page=form.page,
            per_page=PER_PAGE,
        )

    try:
        results = run()
        last = max(1, -(-results.total // PER_PAGE))
        if form.page > last:  # past the end (an old link): the last page instead
            form.page = last
            results = run()
    except InvalidInput:
        abort(400)
    return results


def sort_label(sort: str) -> str:
    return _(SORT_LABELS[sort])


def facets(
    counts: dict[str, list[tuple[str, int]]], form: SearchForm, titles: dict[str, Localized]
) -> list[Facet]:
    """Each facet's most frequent values (and the chosen ones), with a link to all of them:
    a common word in an archive of fonds, series and files met 500 collections, and a page
    listing them all weighed 150 kB and took longer to make than the search itself."""
    shown = []
    for name in FACETS:
        found = counts.get(name, [])
        if not found:
            continue
        kept = found
        if name != form.more and len(found) > FACET_VALUES:
            kept = [v for n, v in enumerate(found) if n < FACET_VALUES or form.chosen(name, v[0])]
        values = [facet_value(name, value, count, form, titles) for value, count in kept]
        facet = Facet(name, facet_label(name), values)
        if len(kept) < len(found):
            facet = Facet(name, facet.label, values, len(found), form.url(more=name))
        shown.append(facet)
    return shown


def facet_value(
    name: str, value: str, count: int, form: SearchForm, titles: dict[str, Localized]
) -> FacetValue:
    chosen = form.chosen(name, value)
    return FacetValue(
        value=value,
        count=count,
        label=value_label(name, value, titles),
        chosen=chosen,
        url=form.removing(name, value) if chosen else form.adding(name, value),
    )


def chosen_filters(form: SearchForm, titles: dict[str, Localized]) -> list[Chosen]:
    return [
        Chosen(
            name, facet_label(name), value_label(name, value, titles), form.removing(name, value)
        )
        for name, values in form.filters.items()
        for value in values
    ]


# ---------------------------------------------------------------------------------------------
# One item


@dataclass(frozen=True)
class Field:
    label: str
    values: list[Localized | Markup]


@dataclass(frozen=True)
class Tag:
    label: Localized
    url: str


@dataclass(frozen=True)
class PageText:
    text: str
    lang: str
    source: str


@blueprint.get("/items/<accession_id>")
def item(accession_id: str) -> Response:
    if len(accession_id) > MAX_ID:
        abort(404)
    # The page at this address in this language, kept until the database next changes (an
    # unknown or restricted id is a 404, and a 404 is never kept).
    key = ("item", accession_id, current(), request.query_string)
    return kept_page(key, lambda: _item_page(accession_id))


def _item_page(accession_id: str) -> str:
    archive = services.archive()
    with services.reading() as session:
        # Not `public.item`: it reads every page's text and word boxes, and the page shows one
        # page's text; a 300-page document took 50 ms more that way.
        found = public.shown(session, accession_id)
        if found is None:
            abort(404)
        return render_template("item.html", **item_view(archive, found, session))


def item_view(archive: Archive, item: Item, session) -> dict[str, Any]:
    """What the item's page shows, read while its session is open."""
    count = len(item.pages)
    number_ = whole_number("page", 1, max(1, count))
    page = next((p for p in item.pages if p.number == number_), None)
    base = archive.settings["base_url"]
    title = localized(item.title, item.accession_id)
    first = thumbnail(archive, item)
    if number_ == 1:  # its images were read just now, for the thumbnail
        image = first is not None
    else:
        image = page is not None and publish.page_facts(archive.home, page) is not None
    text = page_text(item, page, session)
    manifest = manifests.item_manifest_id(base, item.accession_id)
    return {
        "item": item,
        "title": title,
        "titles": [
            Localized(t, lang) for lang, t in item.title.items() if t != title.text and t.strip()
        ],
        "description": localized(item.description) if item.description else None,
        "fields": item_fields(item),
        "tags": item_tags(item),
        "trail": collection_trail(item),
        "page_number": number_,
        "count": count,
        "pages": pagination(number_, count, 1, lambda n: page_url(item, n)),
        "page_text": text,
        "searchable": item.type == "document" or text is not None,
        "image": image,
        "info": url_for("iiif.image_info", accession_id=item.accession_id, number=number_),
        "download": url_for(
            "iiif.image",
            accession_id=item.accession_id,
            number=number_,
            image="full/max/0/default.jpg",
        ),
        "within": clean(request.args.get("within", ""), MAX_WITHIN),
        # built here: the IIIF route's 1.0 alias would be chosen by url_for
        "search_within": f"{request.script_root}/iiif/search/{quote(item.accession_id, safe='')}",
        "thumbnail": first,
        "manifest": manifest,
        "manifest_link": url_for("iiif.item_manifest", accession_id=item.accession_id)
        + "?manifest="
        + quote(manifest, safe=":/"),
        "canonical": manifests.item_page_url(base, item.accession_id),
        "citation": citation(archive, item, title),
        "json_ld": json_ld(archive, item, first),
        "description_text": summary_text(item, title),
    }


def page_url(item: Item, number_: int) -> str:
    return url_for(
        "pages.item", accession_id=item.accession_id, page=number_ if number_ > 1 else None
    )


def catalogue_language(item: Item) -> str:
    """The language of the free-text fields (creator, place, subjects): the title's first, as in
    the item's manifest, since they come from the same catalogue entry."""
    return next((lang for lang in item.title if lang != "none"), current())


def item_fields(item: Item) -> list[Field]:
    lang = catalogue_language(item)
    fields = [
        Field(_("Accession number"), [Localized(item.accession_id, current())]),
        Field(_("Type"), [Localized(type_label(item.type), current())]),
    ]
    if item.date:
        fields.append(Field(_("Date"), [Localized(display_date(item.date), current())]))
    if item.creator:
        fields.append(Field(_("Creator"), [Localized(item.creator, lang)]))
    if item.place:
        fields.append(Field(_("Place"), [Localized(item.place, lang)]))
    if item.subjects:
        fields.append(Field(_("Subjects"), [Localized(s, lang) for s in item.subjects]))
    if item.languages:
        names = [Localized(language_label(code), current()) for code in item.languages]
        fields.append(Field(_("Languages"), names))
    if len(item.pages) > 1:
        fields.append(Field(_("Pages"), [Localized(number(len(item.pages)), current())]))
    if item.rights and item.rights.startswith(("http://", "https://")):
        link = Markup('<a href="{0}" rel="license">{1}</a>').format(
            item.rights, rights_label(item.rights)
        )
        fields.append(Field(_("Rights"), [link]))
    elif item.rights:
        fields.append(Field(_("Rights"), [Localized(item.rights, current())]))
    if item.rights_note:
        fields.append(Field(_("Rights note"), [Localized(item.rights_note, lang)]))
    return fields


def item_tags(item: Item) -> list[Tag]:
    """The item's tags, each a link to the search for everything with that tag."""
    found = []
    for tag in sorted(item.tags, key=lambda t: (t.vocabulary, t.term)):
        if tag.removed:
            continue
        name = tag.vocabulary if tag.vocabulary in VOCABULARY_FILTERS else "tag"
        url = url_for("pages.search", **{name: tag.term})
        found.append(Tag(concept_label(tag.vocabulary, tag.term), url))
    return found


def collection_trail(item: Item) -> list[tuple[str, Localized]]:
    """(address, name) of the item's collection and those above it, the fonds first."""
    if item.collection is None:
        return []
    parts = item.collection.slug.split("/")
    trail = []
    for depth in range(1, len(parts) + 1):
        slug = "/".join(parts[:depth])
        name = Localized(parts[depth - 1], current())
        if depth == len(parts):
            name = localized(item.collection.title, parts[-1])
        trail.append((url_for("pages.collection", slug=slug), name))
    return trail


def page_text(item: Item, page: Page | None, session) -> PageText | None:
    """The current reading of the page shown (the others are a page link away)."""
    if page is not None:
        # this page's readings only, and without their word boxes
        set_committed_value(page, "texts", public.page_texts(session, page.id))
    text = page.text if page is not None else None
    if text is None or not text.text.strip():
        return None
    # as the manifest tags it: detected, else the language OCR was asked for first
    lang = text.language or (text.ocr_languages or "").split("+")[0]
    lang = TAGS_639_1.get(lang, lang) or catalogue_language(item)
    return PageText(text.text, lang, text.source)


def citation(archive: Archive, item: Item, title: Localized) -> Markup:
    settings = archive.settings
    name = localized({"vi": settings["publisher_vi"], "en": settings["publisher_en"]})
    url = manifests.item_page_url(settings["base_url"], item.accession_id)
    date_ = display_date(item.date) or _("undated")
    return Markup(
        _(
            "%(archive)s, %(id)s, “%(title)s”, %(date)s, %(url)s",
            archive=name.html(),
            id=item.accession_id,
            title=title.html("cite"),
            date=date_,
            url=Markup('<a href="{0}">{0}</a>').format(url),
        )
    )


def summary_text(item: Item, title: Localized) -> str:
    """One sentence for link previews: the description, else what the item is."""
    if item.description:
        return localized(item.description).text[:300]
    parts = [type_label(item.type), item.accession_id, display_date(item.date)]
    return " · ".join(p for p in parts if p)


def json_ld(archive: Archive, item: Item, first: Thumbnail | None) -> Markup:
    """schema.org data of the item, for search engines; `<`, `>` and `&` escaped, so no value
    can end the script element."""
    settings = archive.settings
    base = settings["base_url"]
    lang = current()
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": ["Photograph", "ArchiveComponent"] if item.type == "photo" else "ArchiveComponent",
        "@id": manifests.item_page_url(base, item.accession_id),
        "url": manifests.item_page_url(base, item.accession_id),
        "identifier": item.accession_id,
        "name": localized(item.title, item.accession_id).text,
        "inLanguage": lang,
        "holdingArchive": {
            "@type": "ArchiveOrganization",
            "name": settings["publisher_vi"] if lang == "vi" else settings["publisher_en"],
            "url": base + "/",
        },
    }
    if item.description:
        data["description"] = localized(item.description).text
    if item.date and _ISO_DATE.match(item.date):  # schema.org reads ISO 8601, not all of EDTF
        data["dateCreated"] = item.date
    if item.creator:
        data["creator"] = {"@type": "Person", "name": item.creator}
    place = _place(item)
    if place:
        data["contentLocation"] = place
    if first is not None:
        data["image"] = base + first.url
        data["thumbnailUrl"] = base + first.url
    if item.collection is not None:
        data["isPartOf"] = {
            "@type": "ArchiveComponent",
            "name": localized(item.collection.title, item.collection.slug).text,
            "url": base + url_for("pages.collection", slug=item.collection.slug),
        }
    if item.rights:
        data["license"] = item.rights
    if item.subjects:
        data["keywords"] = list(item.subjects)
    return _script_json(data)


def _place(item: Item) -> dict | None:
    if item.place is None and item.latitude is None:
        return None
    place: dict[str, Any] = {"@type": "Place"}
    if item.place:
        place["name"] = item.place
    if item.latitude is not None and item.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": item.latitude,
            "longitude": item.longitude,
        }
    return place


def _script_json(data: dict) -> Markup:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


# ---------------------------------------------------------------------------------------------
# Collections


@blueprint.get("/collections")
def collections() -> str:
    return render_template(
        "collections.html", tree=collection_tree(), titles=titles_of_collections()
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
        "collection.html",
        node=node,
        trail=trail,
        titles=titles_of_collections(),
        total=total,
        items=listed,
        pages=pagination(page, total, PER_PAGE, lambda n: collection_url(node.slug, n)),
    )


def find_trail(nodes: list[public.Node], slug: str) -> list[public.Node]:
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


# ---------------------------------------------------------------------------------------------
# Exhibitions


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
    if exhibition.start is None:
        return ""
    start = format_date(exhibition.start, "long")
    if exhibition.end is None or exhibition.end == exhibition.start:
        return start
    return _("%(start)s to %(end)s", start=start, end=format_date(exhibition.end, "long"))


@blueprint.get("/exhibitions")
def exhibitions() -> str:
    groups = exhibition_groups(publish.definitions(services.archive()))
    return render_template("exhibitions.html", groups=groups)


@blueprint.get("/exhibitions/<slug>")
def exhibition(slug: str) -> str:
    archive = services.archive()
    try:
        found = publish.find_definition(archive, slug)
    except NotFound:
        abort(404)
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
    manifest = manifests.exhibition_manifest_id(base, found.id)
    return render_template(
        "exhibition.html",
        exhibition=found,
        title=localized(found.title, found.id),
        sections=sections,
        manifest=manifest,
        manifest_link=url_for("iiif.exhibition_manifest", slug=found.id)
        + "?manifest="
        + quote(manifest, safe=":/"),
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


# ---------------------------------------------------------------------------------------------
# The viewer's files, and versioned addresses of the static ones


@blueprint.get("/assets/openseadragon/<path:filename>")
def viewer_asset(filename: str) -> Response:
    response = send_from_directory(VIEWER, filename, max_age=ASSET_MAX_AGE)
    response.cache_control.public = True
    return response


@functools.lru_cache(maxsize=64)
def _version(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "0"


def address(endpoint: str, **values: Any) -> str:
    """url_for, kept: the addresses every page links to (the menu, the stylesheet) do not
    change while the app runs, and a page has a dozen of them. Where the app is mounted
    (`script_root`) is part of the key."""
    kept = current_app.extensions.setdefault("catalogue.addresses", {})
    key = (request.script_root, endpoint, *sorted(values.items()))
    found = kept.get(key)
    if found is None:
        found = kept[key] = url_for(endpoint, **values)
    return found


def asset_url(filename: str) -> str:
    """The address of a file of `static/`, changed whenever its content changes."""
    return address("static", filename=filename, v=_version(STATIC / filename))


def viewer_url(filename: str) -> str:
    """The address of a file of the deep-zoom viewer, changed with the viewer's version (a
    folder's address is left bare: the viewer appends its files' names to it)."""
    version = None if filename.endswith("/") else _version(VIEWER / "openseadragon.min.js")
    return address("pages.viewer_asset", filename=filename, v=version)


# ---------------------------------------------------------------------------------------------
# Caching, and the error pages


def kept_page(key: tuple, make: Callable[[], str]) -> Response:
    """The page `make()` gives, kept (compressed) until the database next changes; sent
    compressed to a client that accepts gzip, as every browser does."""
    page = services.remember_page(key, make)
    if request.accept_encodings.quality("gzip") > 0:
        response = Response(page.gzipped, mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(page.html(), mimetype="text/html")
    response.vary.add("Accept-Encoding")
    return response


@blueprint.after_request
def _cacheable(response: Response) -> Response:
    response.vary.add("Cookie")  # the same address answers in the language of the cookie
    if response.status_code != 200 or response.mimetype != "text/html":
        return response
    if not response.cache_control.private:
        response.cache_control.public = True
        response.cache_control.max_age = PAGE_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


def _machine_read() -> bool:
    """Errors of the addresses programs read (IIIF, the JSON API) keep their own form."""
    return request.path.startswith(("/iiif/", "/api/"))


@blueprint.app_errorhandler(HTTPException)
def error_page(error: HTTPException):
    if _machine_read() or error.code is None or error.code < 400:
        return error.get_response()
    messages = {
        400: (_("Bad request"), _("The address asks for something this catalogue cannot read.")),
        404: (
            _("Page not found"),
            _("There is no public page at this address. It may have been mistyped."),
        ),
        405: (_("Method not allowed"), _("This address cannot be used that way.")),
    }
    title, message = messages.get(
        error.code, (_("Something went wrong"), _("Please try again later."))
    )
    response = Response(
        render_template("error.html", code=error.code, title=title, message=message),
        status=error.code,
        mimetype="text/html",
    )
    if error.code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    response.vary.add("Cookie")
    return response
