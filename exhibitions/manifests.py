"""IIIF Presentation 3.0 documents: a Manifest per public item, a Manifest per exhibition (its
sections as Ranges) and Collections that list them. Built with iiif-prezi3 from plain records and
returned as plain JSON data; `exhibitions.conformance` checks what iiif-prezi3 lets through.

Values are plain text. IIIF clients read a value that starts with `<` and ends with `>` as HTML
and run it through their own cleaning; the archive publishes no markup it did not write itself,
so such a value is sent escaped inside a `<span>`: a viewer shows it exactly as written, and
nothing in it (a `<script>`, say) is markup. Any other value is sent unchanged: clients show it
as text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from iiif_prezi3 import (
    Annotation,
    AnnotationBody,
    AnnotationPage,
    Canvas,
    CanvasRef,
    Collection,
    CollectionRef,
    Homepage,
    KeyValueString,
    Manifest,
    ManifestRef,
    NavPlace,
    Provider,
    Range,
    Resource,
    ServiceV2,
    ServiceV3,
    TextualBody,
)

from archive.errors import InvalidInput, NotFound
from archive.fields import default_lang, language_tag
from archive.models import Item, Page, PageText
from exhibitions.definition import Entry, Exhibition

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
NAVPLACE_CONTEXT = "http://iiif.io/api/extension/navplace/context.json"
SEARCH1_PROFILE = "http://iiif.io/api/search/1/search"
AUTOCOMPLETE1_PROFILE = "http://iiif.io/api/search/1/autocomplete"

LanguageMap = Mapping[str, str]
IiifMap = dict[str, list[str]]

ATTRIBUTION = {"vi": "Ghi công", "en": "Attribution"}
ITEM_TYPES = {
    "photo": {"vi": "Ảnh", "en": "Photograph"},
    "document": {"vi": "Tài liệu", "en": "Document"},
}
EXHIBITION_KINDS = {
    "photo": {"vi": "Triển lãm ảnh", "en": "Photo exhibition"},
    "archive": {"vi": "Triển lãm tài liệu lưu trữ", "en": "Exhibition of archival documents"},
}
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class PageImage:
    """One page's published image, as the derivatives step wrote it."""

    service: str  # image service id (URL, no trailing /info.json)
    width: int  # upright full size = the canvas size
    height: int
    thumbnail: tuple[int, int]  # a size its info.json lists in `sizes`


@dataclass(frozen=True)
class Publisher:
    """Who publishes: the archive, from its settings."""

    base_url: str  # no trailing slash
    name: dict[str, str]  # {"vi": "Lưu trữ lịch sử tỉnh Kon Tum", "en": "Kon Tum Provincial …"}
    homepage: str  # the archive's web site


# Web addresses (stable: they are cited in publications)


def item_manifest_id(base_url: str, accession_id: str) -> str:
    return f"{base_url}/iiif/items/{accession_id}/manifest.json"


def exhibition_manifest_id(base_url: str, slug: str) -> str:
    return f"{base_url}/iiif/exhibitions/{slug}/manifest.json"


def collection_id(base_url: str, name: str) -> str:
    return f"{base_url}/iiif/collections/{name}.json"


def item_page_url(base_url: str, accession_id: str) -> str:
    return f"{base_url}/items/{accession_id}"


def search_url(base_url: str, accession_id: str) -> str:
    return f"{base_url}/iiif/search/{accession_id}"


# Item manifests


def item_manifest(item: Item, images: Mapping[int, PageImage], publisher: Publisher) -> dict:
    """The Manifest of a public item: one Canvas per page that has a published image, in page
    order. A restricted item does not exist for the public (NotFound), nor does one with no
    published image yet."""
    if item.access != "public":
        raise NotFound(f"no item {item.accession_id}")
    base, accession = publisher.base_url, item.accession_id
    pages = [page for page in item.pages if page.number in images]
    if not pages:
        raise NotFound(f"{accession} has no published image yet")
    manifest_id = item_manifest_id(base, accession)
    prefix = manifest_id.removesuffix("/manifest.json")
    label = title_of(item)
    canvases = [
        _item_canvas(f"{prefix}/canvas/{page.number}", page, images[page.number], item, label)
        for page in pages
    ]
    searchable = any(_text_of(page) is not None for page in pages)
    manifest = Manifest(
        id=manifest_id,
        label=label,
        summary=language_map(item.description) or None,
        metadata=_metadata(_item_metadata(item)),
        rights=publishable_rights(item.rights),
        requiredStatement=_attribution(publisher.name),
        provider=[_archive_agent(publisher)],
        homepage=[_homepage(item_page_url(base, accession), label)],
        thumbnail=canvases[0].thumbnail,
        navDate=_item_nav_date(item),
        service=_search_services(base, accession) if searchable else None,
        items=canvases,
    )
    document = _plain_data(manifest)
    place = _nav_place(item, label)
    if place is not None:
        # The extension's context must come before the Presentation one, which stays last.
        document["@context"] = [NAVPLACE_CONTEXT, PRESENTATION_CONTEXT]
        document["navPlace"] = place
    return _ordered(document)


def _item_canvas(
    canvas_id: str, page: Page, image: PageImage, item: Item, title: IiifMap
) -> Canvas:
    label = title if len(item.pages) == 1 else _page_label(page.number)
    text = _text_of(page)
    if text is None:
        return _canvas(canvas_id, image, label)
    annotations = [_text_page(canvas_id, text, _text_language(text, item))]
    return _canvas(canvas_id, image, label, annotations=annotations)


def _page_label(number: int) -> IiifMap:
    return {"vi": [f"Trang {number}"], "en": [f"Page {number}"]}


def _text_of(page: Page) -> PageText | None:
    """The page's current text when it has words to show, else None."""
    text = page.text
    return text if text is not None and text.text.strip() else None


def _text_language(text: PageText, item: Item) -> str:
    """The BCP 47 tag of a page's text: as detected, else the first language OCR was asked
    for, else the item's first language; `und` (undetermined) when nothing says."""
    if text.language:
        return text.language
    if text.ocr_languages:
        return default_lang(text.ocr_languages)
    return language_tag(item.languages[0]) if item.languages else "und"


def _text_page(canvas_id: str, text: PageText, language: str) -> AnnotationPage:
    """The page's text as a `supplementing` annotation on its Canvas, for viewers to show
    beside the image."""
    body = TextualBody(value=text.text, language=language, format="text/plain")
    annotation = Annotation(
        id=f"{canvas_id}/text/annotation",
        motivation="supplementing",
        body=body,
        target=canvas_id,
    )
    return AnnotationPage(id=f"{canvas_id}/text", items=[annotation])


def _search_services(base_url: str, accession_id: str) -> list:
    """Content Search 2.0 and 1.0 with their autocomplete services. Mirador finds search only by
    the 1.0 profile, so both are advertised. The 1.0 block's `@context` belongs at the top of a
    Presentation 3 document, not in the service; it is left out there too, because it is a JSON-LD
    1.0 context for Presentation 2 terms and clients find the service by its profile alone."""
    url = search_url(base_url, accession_id)
    search2 = ServiceV3(
        id=url,
        type="SearchService2",
        service=[ServiceV3(id=f"{url}/autocomplete", type="AutoCompleteService2")],
    )
    autocomplete1 = ServiceV2(
        id=f"{url}/v1/autocomplete", type="AutoCompleteService1", profile=AUTOCOMPLETE1_PROFILE
    )
    search1 = ServiceV2(
        id=f"{url}/v1", type="SearchService1", profile=SEARCH1_PROFILE, service=[autocomplete1]
    )
    return [search2, search1]


def _item_metadata(item: Item) -> list[tuple[LanguageMap, IiifMap]]:
    lang = _catalogue_language(item)
    rows: list[tuple[LanguageMap, IiifMap]] = [
        ({"vi": "Số hiệu", "en": "Accession number"}, {"none": [item.accession_id]}),
        ({"vi": "Loại", "en": "Type"}, language_map(ITEM_TYPES.get(item.type, {}))),
    ]
    if item.date:
        rows.append(({"vi": "Thời gian", "en": "Date"}, {"none": [item.date]}))
    if item.creator:
        rows.append(({"vi": "Tác giả", "en": "Creator"}, _values(lang, [item.creator])))
    if item.place:
        rows.append(({"vi": "Địa điểm", "en": "Place"}, _values(lang, [item.place])))
    if item.subjects:
        rows.append(({"vi": "Chủ đề", "en": "Subjects"}, _values(lang, item.subjects)))
    if item.languages:
        rows.append(({"vi": "Ngôn ngữ", "en": "Languages"}, {"none": list(item.languages)}))
    if item.collection is not None:
        named = language_map(item.collection.title) or {"none": [item.collection.slug]}
        rows.append(({"vi": "Bộ sưu tập", "en": "Collection"}, named))
    rows += _rights_rows(item.rights, lang, item.rights_note)
    return [(label, value) for label, value in rows if value]


def _catalogue_language(item: Item) -> str:
    """The language free-text fields (creator, place, subjects) were written in: they come with
    the title, from the same catalogue entry, so the title's first language; `none` when the
    item has no title to tell."""
    return next((lang for lang in item.title if lang != "none"), "none")


def _rights_rows(uri: str, lang: str, note: str | None = None) -> list[tuple[LanguageMap, IiifMap]]:
    """A rights URI the `rights` property cannot carry is still shown, as metadata."""
    rows: list[tuple[LanguageMap, IiifMap]] = []
    if uri and uri.strip() and publishable_rights(uri) is None:
        rows.append(({"vi": "Quyền", "en": "Rights"}, {"none": [_plain(uri.strip())]}))
    if note and note.strip():
        rows.append(({"vi": "Ghi chú về quyền", "en": "Rights note"}, _values(lang, [note])))
    return rows


def _item_nav_date(item: Item) -> datetime | None:
    """The day when the EDTF date names one, else 1 January of its first year."""
    if item.date:
        day = _DAY.match(item.date)
        if day:
            try:
                return datetime(*map(int, day.groups()), tzinfo=UTC)
            except ValueError:  # not a day of the calendar: fall back to the year
                pass
    if item.year_start is None:
        return None
    return datetime(item.year_start, 1, 1, tzinfo=UTC)


def _nav_place(item: Item, label: IiifMap) -> dict | None:
    """A GeoJSON FeatureCollection with the item's point: longitude first, as GeoJSON orders."""
    if item.latitude is None or item.longitude is None:
        return None
    place = NavPlace(type="FeatureCollection")
    place.make_feature(
        label=label,
        geometry={"type": "Point", "coordinates": [item.longitude, item.latitude]},
    )
    return _plain_data(place, context=False)


# Exhibition manifests


def exhibition_manifest(
    exhibition: Exhibition,
    items: Mapping[str, Item],
    images: Mapping[str, Mapping[int, PageImage]],
    publisher: Publisher,
    site: str | None = None,
) -> dict:
    """The Manifest of an exhibition: its canvases in the curator's order, one Range per section.
    What the public may not see (an item missing from `items`, a restricted item in a public
    exhibition) or cannot see yet (a page with no published image) is left out; `exhibition
    check` is where the curator hears of it. NotFound when nothing is left to show.

    `site` is the address of an exported copy (`exhibition export --base-url`): the manifest,
    its canvases, ranges and annotations are identified under it and its homepage is the copy's
    page; `images` must then name the copy's image services too. What belongs to the catalogue
    (the items' pages and manifests, the archive) keeps the catalogue's address."""
    base, slug = publisher.base_url, exhibition.id
    manifest_id = exhibition_manifest_id(site or base, slug)
    prefix = manifest_id.removesuffix("/manifest.json")
    canvases, ranges = _sections(exhibition, items, images, prefix, base)
    if not canvases:
        raise NotFound(f"exhibition {slug} has nothing to show yet")
    title = language_map(exhibition.title) or {"none": [slug]}
    manifest = Manifest(
        id=manifest_id,
        label=title,
        summary=language_map(exhibition.summary) or None,
        metadata=_metadata(_exhibition_metadata(exhibition)),
        rights=publishable_rights(exhibition.rights),
        requiredStatement=_attribution(
            _credit(exhibition.attribution or publisher.name, exhibition.partner)
        ),
        provider=_exhibition_agents(exhibition, publisher, site),
        homepage=[_homepage(f"{site}/" if site else f"{base}/exhibitions/{slug}", title)],
        thumbnail=canvases[0].thumbnail,
        navDate=_midnight(exhibition.start),
        items=canvases,
        structures=[built for built, _ in ranges] or None,
    )
    document = _plain_data(manifest)
    # iiif-prezi3's Range has no `summary`, which the specification allows on every resource.
    for data, (_, text) in zip(document.get("structures", []), ranges, strict=True):
        if language_map(text):
            data["summary"] = language_map(text)
    return _ordered(document)


def _sections(
    exhibition: Exhibition,
    items: Mapping[str, Item],
    images: Mapping[str, Mapping[int, PageImage]],
    prefix: str,
    base_url: str,
) -> tuple[list[Canvas], list[tuple[Range, LanguageMap]]]:
    """The canvases in the curator's order, and each section's Range with its text. A section
    left with nothing to show has no Range: a Range must list something."""
    canvases: list[Canvas] = []
    ranges: list[tuple[Range, LanguageMap]] = []
    for number, section in enumerate(exhibition.sections, 1):
        shown = []
        for entry in section.entries:
            for item, image in _shown_images(exhibition, entry, items, images):
                canvas_id = f"{prefix}/canvas/{len(canvases) + 1}"
                canvases.append(_exhibition_canvas(canvas_id, entry, item, image, base_url))
                shown.append(CanvasRef(id=canvas_id, type="Canvas"))
        if shown:
            title = language_map(section.title) or {"none": [str(number)]}
            built = Range(id=f"{prefix}/range/{number}", label=title, items=shown)
            ranges.append((built, section.text))
    return canvases, ranges


def _shown_images(
    exhibition: Exhibition,
    entry: Entry,
    items: Mapping[str, Item],
    images: Mapping[str, Mapping[int, PageImage]],
) -> Iterable[tuple[Item, PageImage]]:
    item = items.get(entry.item)
    if item is None or (exhibition.access == "public" and item.access != "public"):
        return []
    published = images.get(entry.item, {})
    numbers = entry.pages or [page.number for page in item.pages]
    return [(item, published[n]) for n in numbers if n in published]


def _exhibition_canvas(
    canvas_id: str, entry: Entry, item: Item, image: PageImage, base_url: str
) -> Canvas:
    caption = language_map(entry.caption)
    page_url = item_page_url(base_url, item.accession_id)
    link = f'<a href="{html.escape(page_url)}">{html.escape(item.accession_id)}</a>'
    return _canvas(
        canvas_id,
        image,
        caption or title_of(item),
        summary=caption or None,
        metadata=_metadata([({"vi": "Tài liệu gốc", "en": "Item"}, {"none": [link]})]),
        rights=publishable_rights(item.rights),
        homepage=[_homepage(page_url, title_of(item))],
        # The item's own manifest, where a viewer finds all its pages and searches its text.
        partOf=[
            {
                "id": item_manifest_id(base_url, item.accession_id),
                "type": "Manifest",
                "label": title_of(item),
            }
        ],
    )


def _exhibition_metadata(exhibition: Exhibition) -> list[tuple[LanguageMap, IiifMap]]:
    rows: list[tuple[LanguageMap, IiifMap]] = [
        ({"vi": "Đơn vị phối hợp", "en": "Partner"}, language_map(exhibition.partner)),
        ({"vi": "Nơi trưng bày", "en": "Venue"}, language_map(exhibition.venue)),
        ({"vi": "Thời gian", "en": "Dates"}, _dates(exhibition.start, exhibition.end)),
        ({"vi": "Người giám tuyển", "en": "Curators"}, _names(exhibition.curators)),
        ({"vi": "Loại", "en": "Kind"}, language_map(EXHIBITION_KINDS.get(exhibition.kind, {}))),
    ]
    rows += _rights_rows(exhibition.rights, "none")
    return [(label, value) for label, value in rows if value]


def _dates(start: date | None, end: date | None) -> IiifMap:
    """As an EDTF interval (`2024-12-10/2024-12-20`), the form the archive writes dates in."""
    if start is None and end is None:
        return {}
    first = start.isoformat() if start else ".."
    last = end.isoformat() if end else ".."
    return {"none": [first if start == end else f"{first}/{last}"]}


def _names(names: Sequence[str]) -> IiifMap:
    shown = [_plain(name.strip()) for name in names if name.strip()]
    return {"none": shown} if shown else {}


def _credit(archive: LanguageMap, partner: LanguageMap) -> LanguageMap:
    """`archive; partner` in each language either names; one missing a language lends its
    first."""
    credit = {}
    for lang in dict.fromkeys([*archive, *partner]):
        names = [_in(archive, lang), _in(partner, lang)]
        credit[lang] = "; ".join(name for name in names if name)
    return credit


def _in(values: LanguageMap, lang: str) -> str:
    chosen = values.get(lang) or next((v for v in values.values() if v and v.strip()), "")
    return chosen.strip()


def _exhibition_agents(
    exhibition: Exhibition, publisher: Publisher, site: str | None
) -> list[Provider]:
    agents = [_archive_agent(publisher)]
    partner = language_map(exhibition.partner)
    if partner:
        page = f"{site}/" if site else f"{publisher.base_url}/exhibitions/{exhibition.id}"
        partner_id = f"{page}#partner"
        agents.append(Provider(id=partner_id, type="Agent", label=partner))
    return agents


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


# Collections


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
        requiredStatement=_attribution(publisher.name),
        provider=[_archive_agent(publisher)],
        items=[_reference(member) for member in members],
    )
    return _ordered(_plain_data(built))


def _reference(member: dict) -> ManifestRef | CollectionRef:
    kind = member.get("type")
    if kind not in ("Manifest", "Collection"):
        raise InvalidInput(f"a Collection lists Manifests and Collections, not {kind!r}")
    thumbnail = [Resource.model_validate(t) for t in member.get("thumbnail", [])] or None
    reference = ManifestRef if kind == "Manifest" else CollectionRef
    return reference(id=member["id"], type=kind, label=member["label"], thumbnail=thumbnail)


# Shared pieces


def language_map(values: LanguageMap | None) -> IiifMap:
    """A IIIF language map (`{"vi": ["…"]}`) from the archive's (`{"vi": "…"}`); blank values
    are left out."""
    found: IiifMap = {}
    for lang, text in (values or {}).items():
        if text and text.strip():
            found.setdefault(iiif_language(lang), []).append(_plain(text.strip()))
    return found


_IIIF_LANGUAGE = re.compile(r"^[a-zA-Z-]+$")  # what IIIF's schema takes as a language key


def iiif_language(lang: str) -> str:
    """`lang` as a key IIIF's schema takes. Keys are checked when written (archive.fields), but
    one stored before that (`en_US`) must not make a manifest fail: it is written as BCP 47
    writes it, or, when that is no key either, as `none`."""
    if _IIIF_LANGUAGE.match(lang):
        return lang
    fixed = lang.replace("_", "-")
    return fixed if _IIIF_LANGUAGE.match(fixed) else "none"


def title_of(item: Item) -> IiifMap:
    """The item's title, or its accession id when it has none."""
    return language_map(item.title) or {"none": [item.accession_id]}


def publishable_rights(uri: str | None) -> str | None:
    """The URI as the `rights` property takes it: RightsStatements.org and Creative Commons in
    their http:// form (an https:// one is turned into it); None for any other URI."""
    uri = (uri or "").strip()
    for host in ("creativecommons.org/", "rightsstatements.org/"):
        if uri.startswith(f"https://{host}"):
            uri = "http://" + uri.removeprefix("https://")
    allowed = (
        "http://creativecommons.org/licenses/",
        "http://creativecommons.org/publicdomain/",
        "http://rightsstatements.org/vocab/",
    )
    return uri if uri.startswith(allowed) and " " not in uri else None


def _plain(text: str) -> str:
    """Plain text as IIIF carries it (see the module's docstring for the rule)."""
    if text.startswith("<") and text.endswith(">"):
        return f"<span>{html.escape(text, quote=False)}</span>"
    return text


def _values(lang: str, values: Iterable[str]) -> IiifMap:
    shown = [_plain(value.strip()) for value in values if value and value.strip()]
    return {iiif_language(lang): shown} if shown else {}


def _metadata(rows: Sequence[tuple[LanguageMap, IiifMap]]) -> list[KeyValueString] | None:
    entries = [KeyValueString(label=language_map(label), value=value) for label, value in rows]
    return entries or None


def _attribution(credit: LanguageMap) -> KeyValueString:
    return KeyValueString(label=language_map(ATTRIBUTION), value=language_map(credit))


def _archive_agent(publisher: Publisher) -> Provider:
    name = language_map(publisher.name)
    return Provider(
        id=f"{publisher.base_url}/#archive",
        type="Agent",
        label=name,
        homepage=[_homepage(publisher.homepage, name)],
    )


def _homepage(url: str, label: IiifMap) -> Homepage:
    return Homepage(id=url, type="Text", format="text/html", label=label)


def _canvas(canvas_id: str, image: PageImage, label: IiifMap, **properties: Any) -> Canvas:
    """A Canvas the size of the image, painted with it, with the image's thumbnail. Every
    property is given at once: iiif-prezi3 validates each later assignment again."""
    service = ServiceV3(id=image.service, type="ImageService3", profile="level0")
    painting = Annotation(
        id=f"{canvas_id}/annotation",
        motivation="painting",
        body=_image(service, "full/max", image.width, image.height),
        target=canvas_id,
    )
    width, height = image.thumbnail
    return Canvas(
        id=canvas_id,
        label=label,
        width=image.width,
        height=image.height,
        thumbnail=[_image(service, f"full/{width},{height}", width, height)],
        items=[AnnotationPage(id=f"{canvas_id}/page", items=[painting])],
        **properties,
    )


def _image(service: ServiceV3, region_and_size: str, width: int, height: int) -> AnnotationBody:
    """A JPEG of the page from its level-0 image service (pre-made sizes only)."""
    return AnnotationBody(
        id=f"{service.id}/{region_and_size}/0/default.jpg",
        type="Image",
        format="image/jpeg",
        width=width,
        height=height,
        service=[service],
    )


def _plain_data(resource: Any, context: bool = True) -> dict:
    """JSON data of an iiif-prezi3 object: plain strings, not its URL objects, and no empty
    properties."""
    data = resource.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {"@context": PRESENTATION_CONTEXT, **data} if context else data


# The order the specification and its cookbook write properties in, so people can read the files.
_ORDER = (
    "@context",
    "id",
    "@id",
    "type",
    "@type",
    "profile",
    "motivation",
    "label",
    "value",
    "summary",
    "language",
    "format",
    "width",
    "height",
    "metadata",
    "rights",
    "requiredStatement",
    "provider",
    "homepage",
    "partOf",
    "thumbnail",
    "navDate",
    "navPlace",
    "service",
    "items",
    "structures",
    "annotations",
    "body",
    "target",
)
_RANK = {key: rank for rank, key in enumerate(_ORDER)}


def _ordered(data: Any) -> Any:
    if isinstance(data, list):
        return [_ordered(value) for value in data]
    if not isinstance(data, dict):
        return data
    keys = sorted(data, key=lambda key: _RANK.get(key, len(_ORDER)))
    return {key: _ordered(data[key]) for key in keys}
