"""An item's page, `/items/ID`: its fields and tags, the page shown with its text and the
deep-zoom viewer, and what search engines and link previews read of it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Response, abort, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy.orm.attributes import set_committed_value

from archive import derivatives, public
from archive.fields import FIELDS, Field
from archive.home import Archive
from archive.models import Item, Page
from catalogue import gone, services
from catalogue.i18n import Localized, current, gettext, localized
from catalogue.pages.blueprint import blueprint, kept_page
from catalogue.pages.cards import Thumbnail, thumbnail
from catalogue.pages.collections import titles_of_collections
from catalogue.pages.forms import clean, pagination, whole_number
from catalogue.pages.labels import (
    TAGS_639_1,
    VOCABULARY_FILTERS,
    concept_label,
    display_date,
    language_label,
    number,
    rights_label,
    subject_label,
    type_label,
)
from iiif.addresses import item_manifest_id, item_page_url

_ = gettext

MAX_WITHIN = 200  # characters of a search inside an item (Content Search reads no more)
MAX_ID = 40  # characters of an accession id (the column's size)
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Shown:
    """A field as the page shows it: its label, and its values."""

    label: str
    values: list[Localized | Markup]


@dataclass(frozen=True)
class Tag:
    label: Localized
    url: str


@dataclass(frozen=True)
class Version:
    """A field's text in one of its languages, with the language's name in the page's."""

    text: str
    lang: str
    name: str


@dataclass(frozen=True)
class ShownText:
    """The current reading of the page shown: its text, its language (for the `lang`
    attribute) and how it was read (`ocr`, `pdf-text` or `person`)."""

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
            gone.check(accession_id)
            abort(404)
        return render_template("items/item.html", **item_view(archive, found, session))


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
        image = page is not None and derivatives.page_facts(archive.home, page) is not None
    text = shown_text(item, page, session)
    manifest = item_manifest_id(base, item.accession_id)
    return {
        "item": item,
        "title": title,
        "titles": versions(item.title)[1:],
        "descriptions": versions(item.description),
        "fields": item_fields(item),
        "tags": item_tags(item),
        "trail": collection_trail(item),
        "page_number": number_,
        "count": count,
        "pages": pagination(number_, count, 1, lambda n: page_url(item, n)),
        "shown_text": text,
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
        "canonical": item_page_url(base, item.accession_id),
        "citation": citation(archive, item, title),
        "json_ld": json_ld(archive, item, first),
        "description_text": summary_text(item, title),
    }


def versions(values: dict[str, str]) -> list[Version]:
    """Every language a field is written in: first the one the page shows it in (the page's,
    else the one it falls back to), then the others in the catalogue's order; a text the same
    as one already given is not given again."""
    shown = localized(values)
    order = [shown.lang, *(lang for lang in values if lang != shown.lang)]
    found: list[Version] = []
    for lang in order:
        text = values.get(lang)
        if isinstance(text, str) and text.strip() and text not in (v.text for v in found):
            found.append(Version(text, lang, language_label(lang)))
    return found


def page_url(item: Item, number_: int) -> str:
    return url_for(
        "pages.item", accession_id=item.accession_id, page=number_ if number_ > 1 else None
    )


def catalogue_language(item: Item) -> str:
    """The language of the free-text fields (creator, place, subjects): the title's first, as in
    the item's manifest, since they come from the same catalogue entry."""
    return next((lang for lang in item.title if lang != "none"), current())


def item_fields(item: Item) -> list[Shown]:
    """The item's accession number, then the fields of the table the page lists (labelled as
    the table labels them), the count of pages, and the rights last."""
    lang = catalogue_language(item)
    found = [Shown(_("Accession number"), [Localized(item.accession_id, current())])]
    found += _shown_fields(item, DESCRIBING, lang)
    if len(item.pages) > 1:
        found.append(Shown(_("Pages"), [Localized(number(len(item.pages)), current())]))
    return found + _shown_fields(item, RIGHTS, lang)


_RIGHTS = ("rights", "rights_note")
DESCRIBING = tuple(f for f in FIELDS if f.page and f.name not in _RIGHTS)
RIGHTS = tuple(f for f in FIELDS if f.page and f.name in _RIGHTS)


def _shown_fields(item: Item, fields: tuple[Field, ...], lang: str) -> list[Shown]:
    found = []
    for field in fields:
        value = getattr(item, field.attribute)
        if value:
            shown = _SHOWN.get(field.name, _text)
            found.append(Shown(_(field.label["en"]), shown(value, lang)))
    return found


def _text(value: str, lang: str) -> list[Localized | Markup]:
    """Free text, in the language of the catalogue entry."""
    return [Localized(value, lang)]


def _rights(value: str, _lang: str) -> list[Localized | Markup]:
    if value.startswith(("http://", "https://")):
        return [Markup('<a href="{0}" rel="license">{1}</a>').format(value, rights_label(value))]
    return [Localized(value, current())]


_SHOWN = {
    "type": lambda value, _lang: [Localized(type_label(value), current())],
    "date": lambda value, _lang: [Localized(display_date(value), current())],
    "subject": lambda values, lang: [subject_label(s, lang) for s in values],
    "language": lambda codes, _lang: [Localized(language_label(c), current()) for c in codes],
    "rights": _rights,
}


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
    """(address, title) of the item's collection and those above it, the fonds first; each by
    its title (one not yet titled goes by its name), from the kept tree of titles: walking the
    item's parents read the database twice a page (~20% of an item page's time)."""
    if item.collection is None:
        return []
    titles = titles_of_collections()
    parts = item.collection.slug.split("/")
    slugs = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return [
        (url_for("pages.collection", slug=slug), titles.get(slug) or localized({}, parts[n]))
        for n, slug in enumerate(slugs)
    ]


def shown_text(item: Item, page: Page | None, session) -> ShownText | None:
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
    return ShownText(text.text, lang, text.source)


def citation(archive: Archive, item: Item, title: Localized) -> Markup:
    settings = archive.settings
    name = localized({"vi": settings["publisher_vi"], "en": settings["publisher_en"]})
    url = item_page_url(settings["base_url"], item.accession_id)
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
        "@id": item_page_url(base, item.accession_id),
        "url": item_page_url(base, item.accession_id),
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
