"""The IIIF Presentation 3.0 Manifest of an exhibition: the pages on show in the curator's order,
each Canvas captioned and linked to its item's own manifest, and one Range per section. Built with
iiif-prezi3 from plain records and the pieces of `iiif.presentation`, returned as plain JSON data.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime

from iiif_prezi3 import Canvas, CanvasRef, Manifest, Provider, Range

from archive.errors import NotFound
from archive.models import Item
from exhibitions.definition import Entry, Exhibition
from iiif.addresses import exhibition_manifest_id, item_manifest_id, item_page_url
from iiif.presentation import (
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
    plain,
    plain_data,
    publishable_rights,
    rights_rows,
    title_of,
)

EXHIBITION_KINDS = {
    "photo": {"vi": "Triển lãm ảnh", "en": "Photo exhibition"},
    "archive": {"vi": "Triển lãm tài liệu lưu trữ", "en": "Exhibition of archival documents"},
}


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
        metadata=metadata(_exhibition_metadata(exhibition)),
        rights=publishable_rights(exhibition.rights),
        requiredStatement=attribution(
            _credit(exhibition.attribution or publisher.name, exhibition.partner)
        ),
        provider=_exhibition_agents(exhibition, publisher, site),
        homepage=[homepage(f"{site}/" if site else f"{base}/exhibitions/{slug}", title)],
        thumbnail=canvases[0].thumbnail,
        navDate=_midnight(exhibition.start),
        items=canvases,
        structures=[built for built, _ in ranges] or None,
    )
    document = plain_data(manifest)
    # iiif-prezi3's Range has no `summary`, which the specification allows on every resource.
    for data, (_, text) in zip(document.get("structures", []), ranges, strict=True):
        if language_map(text):
            data["summary"] = language_map(text)
    return ordered(document)


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
    return canvas(
        canvas_id,
        image,
        caption or title_of(item),
        summary=caption or None,
        metadata=metadata([({"vi": "Tài liệu gốc", "en": "Item"}, {"none": [link]})]),
        rights=publishable_rights(item.rights),
        homepage=[homepage(page_url, title_of(item))],
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
    rows += rights_rows(exhibition.rights, "none")
    return [(label, value) for label, value in rows if value]


def _dates(start: date | None, end: date | None) -> IiifMap:
    """As an EDTF interval (`2024-12-10/2024-12-20`), the form the archive writes dates in."""
    if start is None and end is None:
        return {}
    first = start.isoformat() if start else ".."
    last = end.isoformat() if end else ".."
    return {"none": [first if start == end else f"{first}/{last}"]}


def _names(names: Sequence[str]) -> IiifMap:
    shown = [plain(name.strip()) for name in names if name.strip()]
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
    agents = [archive_agent(publisher)]
    partner = language_map(exhibition.partner)
    if partner:
        page = f"{site}/" if site else f"{publisher.base_url}/exhibitions/{exhibition.id}"
        partner_id = f"{page}#partner"
        agents.append(Provider(id=partner_id, type="Agent", label=partner))
    return agents


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)
