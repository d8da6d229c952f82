"""IIIF Presentation 3.0 manifests of items and exhibitions, and the Collections that list them:
valid by the official schema and the rules it misses, and carrying what a viewer relies on."""

from __future__ import annotations

import json
from datetime import date
from itertools import zip_longest

import pytest

from archive import texts
from archive.errors import InvalidInput, NotFound
from archive.items import register
from archive.models import Item, Page
from archive.records import NewFile, NewItem, PageResult, Reading
from archive.work import UnitOfWork
from exhibitions.definition import Entry, Exhibition, Section
from exhibitions.manifests import exhibition_manifest
from iiif import conformance, item_manifests
from iiif.collections import collection
from iiif.presentation import PageImage, Publisher

BASE = "https://archive.kontum.gov.vn"
PUBLISHER = Publisher(
    base_url=BASE,
    name={"vi": "Lưu trữ lịch sử tỉnh Kon Tum", "en": "Kon Tum Provincial Archives"},
    homepage="https://archive.kontum.gov.vn/about",
)
PARTNER = {"vi": "Bộ Thông tin và Truyền thông", "en": "Ministry of Information and Communications"}
SEARCH1 = "http://iiif.io/api/search/1/search"
AUTOCOMPLETE1 = "http://iiif.io/api/search/1/autocomplete"


def reading(text: str, size: tuple[int, int]) -> PageResult:
    words = [[word, 10 * i, 10, 40, 12, 91] for i, word in enumerate(text.split())]
    return PageResult(
        reading=Reading(
            text=text,
            words=words,
            confidence=91.0,
            width=size[0],
            height=size[1],
            rotation=0,
            source="ocr",
            ocr_languages="vie",
            engine="tesseract 5.3.0",
            language="vi",
            hocr_path=None,
        )
    )


def add_item(session, n: int, pages=((3000, 4000),), page_texts=(), **fields) -> Item:
    """An item registered as ingest registers one: one master whose frames are the pages, with
    the OCR text of those pages that have one."""
    results = tuple(
        reading(text, size) if text else PageResult()
        for size, text in zip_longest(pages, page_texts)
    )
    file = NewFile(
        sha256=f"{n:064x}",
        size=1000,
        media_type="image/tiff",
        original_path=f"/scans/{n}.tif",
        stored_path=f"masters/{n}.tif",
        frames=tuple(pages),
        source_path=f"/scans/{n}.tif",
        mtime_ns=0,
        pages=results,
    )
    fields.setdefault("rights", "http://rightsstatements.org/vocab/InC-EDU/1.0/")
    fields.setdefault("type", "document" if len(pages) > 1 else "photo")
    new = NewItem(content_hash=f"{n:064x}", files=[file], **fields)
    # a unit of work left unfinished: the rows alone, without tags or an audit entry
    [(_, item)] = register(UnitOfWork(None, session, "test", "test"), [new], "KT")
    return item


def images_of(item: Item, thumbnail=(300, 400)) -> dict[int, PageImage]:
    """Each page's published image: upright, so its size is the page's."""
    return {
        page.number: PageImage(
            service=f"{BASE}/iiif/images/{item.accession_id}/{page.number}",
            width=page.width,
            height=page.height,
            thumbnail=thumbnail,
        )
        for page in item.pages
    }


def manifest_of(item: Item) -> dict:
    manifest = item_manifests.build(item, images_of(item), PUBLISHER)
    assert conformance.problems(manifest) == []
    return manifest


def values(language_map: dict) -> dict[str, str]:
    return {lang: " | ".join(texts) for lang, texts in language_map.items()}


def metadata(document: dict) -> dict[str, dict]:
    """The metadata entries by their English label."""
    return {entry["label"]["en"][0]: entry["value"] for entry in document.get("metadata", [])}


@pytest.fixture
def session(archive):
    with archive.session() as session:
        yield session


@pytest.fixture
def report(session) -> Item:
    """A three-page report in Vietnamese and English, dated, placed, with OCR on two pages."""
    return add_item(
        session,
        1,
        pages=((2480, 3508), (2480, 3508), (3508, 2480)),
        page_texts=("Kế hoạch tuyên truyền về quyền con người", "", "Phụ lục: danh sách xã"),
        title={"vi": "Kế hoạch số 1297/KH-UBND", "en": "Plan No. 1297/KH-UBND"},
        description={"vi": "Tuyên truyền về quyền con người", "en": "Communication on rights"},
        date="2023-05-05",
        creator="Ủy ban nhân dân tỉnh Kon Tum",
        place="Thành phố Kon Tum",
        latitude=14.3545,
        longitude=108.0076,
        subjects=["quyền con người", "tuyên truyền"],
        languages=["vie"],
        collection="ubnd-tinh/ke-hoach",
    )


@pytest.fixture
def photo(session) -> Item:
    """A photograph with no text and no place."""
    return add_item(session, 2, title={"vi": "Nhà rông làng Kon Klor"}, date="199X")


# Item manifests


def test_an_item_manifest_is_valid_iiif(report, photo):
    for item in (report, photo):
        manifest = item_manifests.build(item, images_of(item), PUBLISHER)
        assert conformance.problems(manifest) == []
        assert manifest["id"] == f"{BASE}/iiif/items/{item.accession_id}/manifest.json"
        assert json.loads(json.dumps(manifest)) == manifest  # plain JSON data


def test_canvases_follow_the_pages_at_the_size_of_their_images(report):
    images = images_of(report)
    images[3] = PageImage(images[3].service, 2480, 3508, (300, 400))  # turned upright
    manifest = item_manifests.build(report, images, PUBLISHER)
    prefix = f"{BASE}/iiif/items/{report.accession_id}/canvas"
    canvases = manifest["items"]
    assert [c["id"] for c in canvases] == [f"{prefix}/1", f"{prefix}/2", f"{prefix}/3"]
    assert [(c["width"], c["height"]) for c in canvases] == [(2480, 3508)] * 3
    assert canvases[1]["label"] == {"vi": ["Trang 2"], "en": ["Page 2"]}


def test_each_canvas_is_painted_with_its_image_and_its_level0_service(report):
    canvas = manifest_of(report)["items"][1]
    annotation = canvas["items"][0]["items"][0]
    service = f"{BASE}/iiif/images/{report.accession_id}/2"
    assert annotation["motivation"] == "painting"
    assert annotation["target"] == canvas["id"]
    assert annotation["body"] == {
        "id": f"{service}/full/max/0/default.jpg",
        "type": "Image",
        "format": "image/jpeg",
        "width": 2480,
        "height": 3508,
        "service": [{"id": service, "type": "ImageService3", "profile": "level0"}],
    }


def test_thumbnails_are_a_size_the_image_service_lists(report):
    manifest = manifest_of(report)
    service = f"{BASE}/iiif/images/{report.accession_id}/1"
    [thumbnail] = manifest["items"][0]["thumbnail"]
    assert thumbnail["id"] == f"{service}/full/300,400/0/default.jpg"
    assert (thumbnail["width"], thumbnail["height"]) == (300, 400)
    assert thumbnail["service"] == [{"id": service, "type": "ImageService3", "profile": "level0"}]
    assert manifest["thumbnail"] == [thumbnail]


def test_titles_descriptions_and_metadata_are_language_maps(report):
    manifest = manifest_of(report)
    assert manifest["label"] == {
        "vi": ["Kế hoạch số 1297/KH-UBND"],
        "en": ["Plan No. 1297/KH-UBND"],
    }
    assert values(manifest["summary"]) == report.description
    shown = metadata(manifest)
    assert shown["Accession number"] == {"none": [report.accession_id]}
    assert shown["Date"] == {"none": ["2023-05-05"]}
    assert shown["Creator"] == {"vi": ["Ủy ban nhân dân tỉnh Kon Tum"]}
    assert shown["Subjects"] == {"vi": ["quyền con người", "tuyên truyền"]}
    assert shown["Languages"] == {"none": ["vie"]}
    assert shown["Collection"] == {"none": ["ubnd-tinh/ke-hoach"]}
    assert shown["Type"] == {"vi": ["Tài liệu"], "en": ["Document"]}
    for entry in manifest["metadata"]:
        assert set(entry["label"]) == {"vi", "en"}


def test_an_untitled_item_is_labelled_with_its_accession_id(session):
    item = add_item(session, 3)
    assert manifest_of(item)["label"] == {"none": [item.accession_id]}


def test_the_archive_is_credited_and_the_catalogue_page_linked(report):
    manifest = manifest_of(report)
    assert manifest["requiredStatement"] == {
        "label": {"vi": ["Ghi công"], "en": ["Attribution"]},
        "value": {"vi": ["Lưu trữ lịch sử tỉnh Kon Tum"], "en": ["Kon Tum Provincial Archives"]},
    }
    [agent] = manifest["provider"]
    assert agent["type"] == "Agent"
    assert agent["homepage"][0]["id"] == PUBLISHER.homepage
    [homepage] = manifest["homepage"]
    assert homepage["id"] == f"{BASE}/items/{report.accession_id}"
    assert homepage["format"] == "text/html"
    assert homepage["label"] == manifest["label"]


@pytest.mark.parametrize(
    "rights, published",
    [
        ("http://rightsstatements.org/vocab/InC-EDU/1.0/", "http://rightsstatements.org/vocab/InC-EDU/1.0/"),
        ("https://creativecommons.org/licenses/by/4.0/", "http://creativecommons.org/licenses/by/4.0/"),
        ("https://rightsstatements.org/vocab/NoC-US/1.0/", "http://rightsstatements.org/vocab/NoC-US/1.0/"),
        ("https://kontum.gov.vn/dieu-khoan", None),
    ],
)  # fmt: skip
def test_rights_are_published_in_their_http_form(session, rights, published):
    item = add_item(session, 4, rights=rights)
    manifest = manifest_of(item)
    assert manifest.get("rights") == published
    if published is None:  # not lost: shown to people instead
        assert metadata(manifest)["Rights"] == {"none": [rights]}


@pytest.mark.parametrize(
    "written, nav_date",
    [
        ("2023-05-05", "2023-05-05T00:00:00Z"),
        ("1975-04-30/1976", "1975-04-30T00:00:00Z"),
        ("1975", "1975-01-01T00:00:00Z"),
        ("1975-04", "1975-01-01T00:00:00Z"),
        ("199X", "1990-01-01T00:00:00Z"),
        (None, None),
    ],
)
def test_nav_date_is_the_day_written_or_the_first_year(session, written, nav_date):
    item = add_item(session, 5, date=written)
    assert manifest_of(item).get("navDate") == nav_date


def test_nav_place_puts_longitude_first_and_declares_its_context(report, photo):
    manifest = manifest_of(report)
    assert manifest["@context"] == [
        "http://iiif.io/api/extension/navplace/context.json",
        "http://iiif.io/api/presentation/3/context.json",
    ]
    [feature] = manifest["navPlace"]["features"]
    assert manifest["navPlace"]["type"] == "FeatureCollection"
    assert feature["geometry"] == {"type": "Point", "coordinates": [108.0076, 14.3545]}
    assert feature["properties"]["label"] == manifest["label"]
    without = manifest_of(photo)
    assert "navPlace" not in without
    assert without["@context"] == "http://iiif.io/api/presentation/3/context.json"


def test_both_search_services_are_advertised_when_there_is_text(report):
    search = f"{BASE}/iiif/search/{report.accession_id}"
    assert manifest_of(report)["service"] == [
        {
            "id": search,
            "type": "SearchService2",
            "service": [{"id": f"{search}/autocomplete", "type": "AutoCompleteService2"}],
        },
        {
            "@id": f"{search}/v1",
            "@type": "SearchService1",
            "profile": SEARCH1,
            "service": [
                {
                    "@id": f"{search}/v1/autocomplete",
                    "@type": "AutoCompleteService1",
                    "profile": AUTOCOMPLETE1,
                }
            ],
        },
    ]


def test_no_search_service_without_text(photo):
    assert "service" not in manifest_of(photo)


def test_page_text_is_a_supplementing_annotation_on_its_canvas(report):
    first, second, third = manifest_of(report)["items"]
    [page] = first["annotations"]
    [annotation] = page["items"]
    assert page["type"] == "AnnotationPage"
    assert annotation["motivation"] == "supplementing"
    assert annotation["target"] == first["id"]
    assert annotation["body"] == {
        "type": "TextualBody",
        "value": "Kế hoạch tuyên truyền về quyền con người",
        "language": "vi",
        "format": "text/plain",
    }
    assert "annotations" not in second  # no text on that page
    assert third["annotations"][0]["items"][0]["body"]["value"] == "Phụ lục: danh sách xã"


def test_a_persons_transcription_is_the_text_shown(archive, session, report):
    work = UnitOfWork(archive, session, "item text", "A")
    texts.transcribe(work, report.accession_id, 1, "Kế hoạch tuyên truyền (đã sửa)")
    session.flush()
    body = manifest_of(report)["items"][0]["annotations"][0]["items"][0]["body"]
    assert body["value"] == "Kế hoạch tuyên truyền (đã sửa)"
    assert body["language"] == "vi"


def test_a_restricted_item_does_not_exist_for_the_public(session):
    item = add_item(session, 6, access="restricted", title={"vi": "Hồ sơ mật"})
    with pytest.raises(NotFound) as caught:
        item_manifests.build(item, images_of(item), PUBLISHER)
    assert "Hồ sơ mật" not in str(caught.value)


def test_pages_without_a_published_image_are_left_out(report):
    images = images_of(report)
    del images[2]
    manifest = item_manifests.build(report, images, PUBLISHER)
    assert conformance.problems(manifest) == []
    assert [c["id"].rsplit("/", 1)[1] for c in manifest["items"]] == ["1", "3"]


def test_an_item_with_no_published_image_is_not_found(report):
    with pytest.raises(NotFound, match="no published image"):
        item_manifests.build(report, {}, PUBLISHER)


def test_html_in_a_title_stays_plain_text(session):
    title = {"vi": "<script>alert(1)</script>", "en": "Report <b>secret</b>"}
    item = add_item(session, 7, title=title, creator="<img src=x onerror=alert(1)>")
    manifest = manifest_of(item)
    # a value that starts with < and ends with > would be read as HTML: it is sent escaped
    assert manifest["label"]["vi"] == ["<span>&lt;script&gt;alert(1)&lt;/script&gt;</span>"]
    assert manifest["label"]["en"] == ["Report <b>secret</b>"]  # plain text to every client
    assert metadata(manifest)["Creator"] == {
        "vi": ["<span>&lt;img src=x onerror=alert(1)&gt;</span>"]
    }
    published = json.dumps(manifest)
    assert "<script" not in published and "<img" not in published


# Exhibition manifests


@pytest.fixture
def exhibited(session, report) -> dict[str, Item]:
    """Two photos (one restricted) and the three-page report."""
    village = add_item(session, 10, title={"vi": "Làng Kon Klor", "en": "Kon Klor village"})
    hidden = add_item(session, 11, title={"vi": "Ảnh hạn chế"}, access="restricted")
    return {item.accession_id: item for item in (village, report, hidden)}


def exhibition(items: dict[str, Item], **changes) -> Exhibition:
    village, report, hidden = items
    fields = dict(
        id="quyen-con-nguoi-2024",
        kind="photo",
        title={"vi": "Quyền con người ở Kon Tum", "en": "Human rights in Kon Tum"},
        summary={"vi": "Ảnh và tài liệu lưu trữ", "en": "Photographs and archival documents"},
        partner=PARTNER,
        venue={"vi": "Bảo tàng tỉnh Kon Tum", "en": "Kon Tum Provincial Museum"},
        start=date(2024, 12, 10),
        end=date(2024, 12, 20),
        curators=("Nguyễn Văn A",),
        rights="http://rightsstatements.org/vocab/InC-EDU/1.0/",
        sections=(
            Section(
                title={"vi": "Làng", "en": "Village"},
                text={"vi": "Nhà rông và lễ hội.", "en": "Communal houses and festivals."},
                entries=(
                    Entry(item=village, caption={"vi": "Nhà rông", "en": "A communal house"}),
                    Entry(item=report, pages=(3, 1)),
                ),
            ),
            Section(
                title={"vi": "Văn bản", "en": "Documents"},
                entries=(Entry(item=report), Entry(item=hidden)),
            ),
        ),
    )
    return Exhibition(**{**fields, **changes})


def build(items: dict[str, Item], shown: Exhibition | None = None) -> dict:
    shown = shown or exhibition(items)
    images = {accession: images_of(item) for accession, item in items.items()}
    manifest = exhibition_manifest(shown, items, images, PUBLISHER)
    assert conformance.problems(manifest) == []
    return manifest


def test_an_exhibition_manifest_is_valid_iiif(exhibited):
    manifest = build(exhibited)
    assert manifest["id"] == f"{BASE}/iiif/exhibitions/quyen-con-nguoi-2024/manifest.json"
    assert manifest["homepage"][0]["id"] == f"{BASE}/exhibitions/quyen-con-nguoi-2024"
    assert manifest["label"]["en"] == ["Human rights in Kon Tum"]
    assert manifest["summary"]["vi"] == ["Ảnh và tài liệu lưu trữ"]
    assert manifest["navDate"] == "2024-12-10T00:00:00Z"
    assert manifest["rights"] == "http://rightsstatements.org/vocab/InC-EDU/1.0/"


def test_canvases_follow_the_curators_order_of_entries_and_pages(exhibited):
    village, report, _ = exhibited
    manifest = build(exhibited)
    prefix = f"{BASE}/iiif/exhibitions/quyen-con-nguoi-2024/canvas"
    assert [c["id"] for c in manifest["items"]] == [f"{prefix}/{k}" for k in range(1, 7)]
    painted = [c["items"][0]["items"][0]["body"]["service"][0]["id"] for c in manifest["items"]]
    images = f"{BASE}/iiif/images"
    assert painted == [
        f"{images}/{village}/1",
        f"{images}/{report}/3",  # the pages the curator listed, in her order
        f"{images}/{report}/1",
        f"{images}/{report}/1",  # every page when she listed none
        f"{images}/{report}/2",
        f"{images}/{report}/3",
    ]  # and the restricted photo nowhere: the exhibition is public


def test_each_section_is_a_range_of_its_canvases(exhibited):
    manifest = build(exhibited)
    prefix = f"{BASE}/iiif/exhibitions/quyen-con-nguoi-2024"
    first, second = manifest["structures"]
    assert first["id"] == f"{prefix}/range/1"
    assert first["label"] == {"vi": ["Làng"], "en": ["Village"]}
    assert first["summary"] == {
        "vi": ["Nhà rông và lễ hội."],
        "en": ["Communal houses and festivals."],
    }
    assert [r["id"] for r in first["items"]] == [f"{prefix}/canvas/{k}" for k in (1, 2, 3)]
    assert [r["id"] for r in second["items"]] == [f"{prefix}/canvas/{k}" for k in (4, 5, 6)]
    assert "summary" not in second


def test_captions_label_canvases_and_link_to_the_item(exhibited):
    village, report, _ = exhibited
    canvases = build(exhibited)["items"]
    assert canvases[0]["label"] == {"vi": ["Nhà rông"], "en": ["A communal house"]}
    assert canvases[0]["summary"] == canvases[0]["label"]
    assert canvases[1]["label"] == {
        "vi": ["Kế hoạch số 1297/KH-UBND"],
        "en": ["Plan No. 1297/KH-UBND"],
    }
    assert "summary" not in canvases[1]
    assert canvases[0]["homepage"][0]["id"] == f"{BASE}/items/{village}"
    assert canvases[0]["homepage"][0]["label"]["en"] == ["Kon Klor village"]
    link = metadata(canvases[1])["Item"]["none"][0]
    assert link == f'<a href="{BASE}/items/{report}">{report}</a>'


def test_each_canvas_names_its_item_s_manifest_where_its_text_can_be_searched(exhibited):
    village, report, _ = exhibited
    canvases = build(exhibited)["items"]
    assert canvases[0]["partOf"] == [
        {
            "id": f"{BASE}/iiif/items/{village}/manifest.json",
            "type": "Manifest",
            "label": {"vi": ["Làng Kon Klor"], "en": ["Kon Klor village"]},
        }
    ]
    assert {c["partOf"][0]["id"] for c in canvases[1:]} == {
        f"{BASE}/iiif/items/{report}/manifest.json"
    }


def test_the_credit_names_the_archive_and_the_partner(exhibited):
    manifest = build(exhibited)
    assert manifest["requiredStatement"]["value"] == {
        "vi": ["Lưu trữ lịch sử tỉnh Kon Tum; Bộ Thông tin và Truyền thông"],
        "en": ["Kon Tum Provincial Archives; Ministry of Information and Communications"],
    }
    assert [agent["label"] for agent in manifest["provider"]] == [
        {"vi": ["Lưu trữ lịch sử tỉnh Kon Tum"], "en": ["Kon Tum Provincial Archives"]},
        {"vi": [PARTNER["vi"]], "en": [PARTNER["en"]]},
    ]
    shown = metadata(manifest)
    assert shown["Partner"] == {"vi": [PARTNER["vi"]], "en": [PARTNER["en"]]}
    assert shown["Dates"] == {"none": ["2024-12-10/2024-12-20"]}
    assert shown["Curators"] == {"none": ["Nguyễn Văn A"]}
    assert shown["Venue"]["vi"] == ["Bảo tàng tỉnh Kon Tum"]
    assert shown["Kind"]["en"] == ["Photo exhibition"]


def test_the_exhibitions_own_attribution_is_credited_first(exhibited):
    attribution = {"vi": "Sở Nội vụ tỉnh Kon Tum", "en": "Kon Tum Department of Home Affairs"}
    manifest = build(exhibited, exhibition(exhibited, attribution=attribution))
    value = manifest["requiredStatement"]["value"]
    assert value["en"] == ["Kon Tum Department of Home Affairs; " + PARTNER["en"]]


def test_a_restricted_exhibition_shows_restricted_items(exhibited):
    *_, hidden = exhibited
    manifest = build(exhibited, exhibition(exhibited, access="restricted"))
    assert len(manifest["items"]) == 7
    assert manifest["items"][-1]["homepage"][0]["id"] == f"{BASE}/items/{hidden}"


def test_an_exhibition_with_nothing_to_show_is_not_found(exhibited):
    *_, hidden = exhibited
    nothing = exhibition(
        exhibited, sections=(Section(title={"vi": "A"}, entries=(Entry(hidden),)),)
    )
    with pytest.raises(NotFound, match="nothing to show"):
        build(exhibited, nothing)


def transient_item(n: int) -> Item:
    """An item as the database would return it, without one: building is pure code."""
    item = Item(
        accession_id=f"KT-2024-{n:06d}",
        type="photo",
        title={"vi": f"Ảnh số {n}", "en": f"Photograph {n}"},
        description={"vi": "Lễ hội đâm trâu"},
        rights="http://rightsstatements.org/vocab/InC-EDU/1.0/",
        access="public",
        subjects=[],
        languages=[],
    )
    item.pages.append(Page(number=1, width=6000, height=4000))
    return item


def test_an_exhibition_of_500_items_has_500_canvases_in_five_ranges():
    # its speed is measured by benchmarks/derivatives.py, not asserted here
    items = {item.accession_id: item for item in map(transient_item, range(1, 501))}
    entries = [Entry(item=accession, caption={"vi": "Ảnh"}) for accession in items]
    sections = tuple(
        Section(title={"vi": f"Phần {s + 1}"}, entries=tuple(entries[s * 100 : s * 100 + 100]))
        for s in range(5)
    )
    shown = Exhibition(id="nam-tram", kind="photo", title={"vi": "500 ảnh"}, sections=sections)
    images = {accession: images_of(item, (400, 267)) for accession, item in items.items()}
    manifest = exhibition_manifest(shown, items, images, PUBLISHER)
    assert len(manifest["items"]) == 500
    assert [len(r["items"]) for r in manifest["structures"]] == [100] * 5


# Collections


def test_a_collection_lists_its_members_by_reference(exhibited, report, photo):
    shown = build(exhibited)
    item = manifest_of(report)
    exhibitions = collection(
        PUBLISHER, "exhibitions", {"vi": "Triển lãm", "en": "Exhibitions"}, [shown, item]
    )
    assert conformance.problems(exhibitions) == []
    assert exhibitions["id"] == f"{BASE}/iiif/collections/exhibitions.json"
    assert exhibitions["label"] == {"vi": ["Triển lãm"], "en": ["Exhibitions"]}
    first, second = exhibitions["items"]
    assert first == {
        "id": shown["id"],
        "type": "Manifest",
        "label": shown["label"],
        "thumbnail": shown["thumbnail"],
    }
    assert second["id"] == item["id"]
    top = collection(PUBLISHER, "archive", PUBLISHER.name, [exhibitions])
    assert conformance.problems(top) == []
    assert top["items"] == [
        {"id": exhibitions["id"], "type": "Collection", "label": exhibitions["label"]}
    ]


@pytest.mark.parametrize("bad", ["Exhibitions", "../secret", "a b", ""])
def test_a_collection_name_is_a_slug(bad):
    with pytest.raises(InvalidInput):
        collection(PUBLISHER, bad, {"vi": "x"}, [])
