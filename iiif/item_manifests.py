"""The IIIF Presentation 3.0 Manifest of a public item: one Canvas per page that has its images,
each with the page's text as an annotation, the item's record as metadata, and the Content Search
services that search its text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from iiif_prezi3 import (
    Annotation,
    AnnotationPage,
    Canvas,
    Manifest,
    NavPlace,
    ServiceV2,
    ServiceV3,
    TextualBody,
)

from archive.errors import NotFound
from archive.fields import FIELDS, default_lang, language_tag
from archive.models import Item, Page, PageText
from iiif.addresses import item_manifest_id, item_page_url, search_url
from iiif.presentation import (
    PRESENTATION_CONTEXT,
    IiifMap,
    LanguageMap,
    PageImage,
    Publisher,
    archive_agent,
    attribution,
    canvas,
    homepage,
    language_map,
    metadata,
    ordered,
    page_images,
    plain_data,
    publishable_rights,
    publisher,
    rights_rows,
    title_of,
    values_in,
)

if TYPE_CHECKING:
    from archive.home import Archive

NAVPLACE_CONTEXT = "http://iiif.io/api/extension/navplace/context.json"
SEARCH1_PROFILE = "http://iiif.io/api/search/1/search"
AUTOCOMPLETE1_PROFILE = "http://iiif.io/api/search/1/autocomplete"

ITEM_TYPES = {
    "photo": {"vi": "Ảnh", "en": "Photograph"},
    "document": {"vi": "Tài liệu", "en": "Document"},
}
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def manifest(archive: Archive, item: Item) -> dict:
    """The Manifest of a public item of `archive`, with the images made of its pages."""
    return build(item, page_images(archive, item), publisher(archive))


def build(item: Item, images: Mapping[int, PageImage], publisher: Publisher) -> dict:
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
    built = Manifest(
        id=manifest_id,
        label=label,
        summary=language_map(item.description) or None,
        metadata=metadata(_item_metadata(item)),
        rights=publishable_rights(item.rights),
        requiredStatement=attribution(publisher.name),
        provider=[archive_agent(publisher)],
        homepage=[homepage(item_page_url(base, accession), label)],
        thumbnail=canvases[0].thumbnail,
        navDate=_item_nav_date(item),
        service=_search_services(base, accession) if searchable else None,
        items=canvases,
    )
    document = plain_data(built)
    place = _nav_place(item, label)
    if place is not None:
        # The extension's context must come before the Presentation one, which stays last.
        document["@context"] = [NAVPLACE_CONTEXT, PRESENTATION_CONTEXT]
        document["navPlace"] = place
    return ordered(document)


def _item_canvas(
    canvas_id: str, page: Page, image: PageImage, item: Item, title: IiifMap
) -> Canvas:
    label = title if len(item.pages) == 1 else _page_label(page.number)
    text = _text_of(page)
    if text is None:
        return canvas(canvas_id, image, label)
    annotations = [_text_page(canvas_id, text, _text_language(text, item))]
    return canvas(canvas_id, image, label, annotations=annotations)


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
    """The accession number, the fields of the table the manifest's metadata carries, the
    collection, and the rights the `rights` property cannot carry."""
    lang = _catalogue_language(item)
    rows: list[tuple[LanguageMap, IiifMap]] = [
        ({"vi": "Số hiệu", "en": "Accession number"}, {"none": [item.accession_id]}),
    ]
    for field in _IN_METADATA:
        value = getattr(item, field.attribute)
        if value:
            rows.append((field.label, _VALUES.get(field.name, _text)(value, lang)))
    if item.collection is not None:
        named = language_map(item.collection.title) or {"none": [item.collection.slug]}
        rows.append(({"vi": "Bộ sưu tập", "en": "Collection"}, named))
    rows += rights_rows(item.rights, lang, item.rights_note)
    return [(label, value) for label, value in rows if value]


_IN_METADATA = tuple(f for f in FIELDS if f.manifest)


def _text(value: str, lang: str) -> IiifMap:
    """Free text, in the language of the catalogue entry."""
    return values_in(lang, [value])


_VALUES = {
    "type": lambda value, _lang: language_map(ITEM_TYPES.get(value, {})),
    "date": lambda value, _lang: {"none": [value]},  # EDTF, in no language
    "subject": lambda values, lang: values_in(lang, values),
    "language": lambda codes, _lang: {"none": list(codes)},  # ISO 639-3 codes
}


def _catalogue_language(item: Item) -> str:
    """The language free-text fields (creator, place, subjects) were written in: they come with
    the title, from the same catalogue entry, so the title's first language; `none` when the
    item has no title to tell."""
    return next((lang for lang in item.title if lang != "none"), "none")


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
    return plain_data(place, context=False)
