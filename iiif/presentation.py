"""The pieces every IIIF Presentation 3.0 document the archive publishes is built from, with
iiif-prezi3: who publishes, a page's published image, language maps, plain values, canvases, and
the order properties are written in. `iiif.item_manifests`, `iiif.collections` and
`exhibitions.manifests` build their documents from them; `iiif.conformance` checks what
iiif-prezi3 lets through, and `write_json` writes nothing it has not checked.

Values are plain text. IIIF clients read a value that starts with `<` and ends with `>` as HTML
and run it through their own cleaning; the archive publishes no markup it did not write itself,
so such a value is sent escaped inside a `<span>`: a viewer shows it exactly as written, and
nothing in it (a `<script>`, say) is markup. Any other value is sent unchanged: clients show it
as text.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iiif_prezi3 import (
    Annotation,
    AnnotationBody,
    AnnotationPage,
    Canvas,
    Homepage,
    KeyValueString,
    Provider,
    ServiceV3,
)

from archive import derivatives
from archive.errors import InvalidInput
from archive.storage import write_atomically
from iiif import conformance
from iiif.addresses import image_service

if TYPE_CHECKING:
    from archive.home import Archive
    from archive.models import Item

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"

LanguageMap = Mapping[str, str]
IiifMap = dict[str, list[str]]

ATTRIBUTION = {"vi": "Ghi công", "en": "Attribution"}


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


def publisher(archive: Archive) -> Publisher:
    settings = archive.settings
    return Publisher(
        base_url=settings["base_url"],
        name={"vi": settings["publisher_vi"], "en": settings["publisher_en"]},
        homepage=settings["base_url"] + "/",
    )


def page_images(archive: Archive, item: Item, base: str | None = None) -> dict[int, PageImage]:
    """The published image of each page of `item` that has one, by page number, its service
    under `base` (default: the catalogue's base_url)."""
    base = base or archive.settings["base_url"]
    found = {}
    for page in item.pages:
        facts = derivatives.page_facts(archive.home, page)
        if facts is not None:
            found[page.number] = PageImage(
                service=image_service(base, item.accession_id, page.number),
                width=facts.width,
                height=facts.height,
                thumbnail=facts.thumbnail,
            )
    return found


def write_json(out: Path, relative: str, document: dict) -> Path:
    """Write a IIIF document, refusing one that is not valid Presentation 3.0."""
    problems = conformance.problems(document)
    if problems:
        raise InvalidInput(f"{relative} would not be valid IIIF: " + "; ".join(problems[:5]))
    target = out / relative
    data = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    write_atomically(target, data.encode("utf-8"))
    return target


# Values


def language_map(values: LanguageMap | None) -> IiifMap:
    """A IIIF language map (`{"vi": ["…"]}`) from the archive's (`{"vi": "…"}`); blank values
    are left out."""
    found: IiifMap = {}
    for lang, text in (values or {}).items():
        if text and text.strip():
            found.setdefault(iiif_language(lang), []).append(plain(text.strip()))
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


def plain(text: str) -> str:
    """Plain text as IIIF carries it (see the module's docstring for the rule)."""
    if text.startswith("<") and text.endswith(">"):
        return f"<span>{html.escape(text, quote=False)}</span>"
    return text


def values_in(lang: str, values: Iterable[str]) -> IiifMap:
    shown = [plain(value.strip()) for value in values if value and value.strip()]
    return {iiif_language(lang): shown} if shown else {}


def rights_rows(uri: str, lang: str, note: str | None = None) -> list[tuple[LanguageMap, IiifMap]]:
    """A rights URI the `rights` property cannot carry is still shown, as metadata."""
    rows: list[tuple[LanguageMap, IiifMap]] = []
    if uri and uri.strip() and publishable_rights(uri) is None:
        rows.append(({"vi": "Quyền", "en": "Rights"}, {"none": [plain(uri.strip())]}))
    if note and note.strip():
        rows.append(({"vi": "Ghi chú về quyền", "en": "Rights note"}, values_in(lang, [note])))
    return rows


# Properties


def metadata(rows: Sequence[tuple[LanguageMap, IiifMap]]) -> list[KeyValueString] | None:
    entries = [KeyValueString(label=language_map(label), value=value) for label, value in rows]
    return entries or None


def attribution(credit: LanguageMap) -> KeyValueString:
    return KeyValueString(label=language_map(ATTRIBUTION), value=language_map(credit))


def archive_agent(publisher: Publisher) -> Provider:
    name = language_map(publisher.name)
    return Provider(
        id=f"{publisher.base_url}/#archive",
        type="Agent",
        label=name,
        homepage=[homepage(publisher.homepage, name)],
    )


def homepage(url: str, label: IiifMap) -> Homepage:
    return Homepage(id=url, type="Text", format="text/html", label=label)


def canvas(canvas_id: str, image: PageImage, label: IiifMap, **properties: Any) -> Canvas:
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


def plain_data(resource: Any, context: bool = True) -> dict:
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


def ordered(data: Any) -> Any:
    if isinstance(data, list):
        return [ordered(value) for value in data]
    if not isinstance(data, dict):
        return data
    keys = sorted(data, key=lambda key: _RANK.get(key, len(_ORDER)))
    return {key: ordered(data[key]) for key in keys}
