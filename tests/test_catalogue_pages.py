"""The public pages as a visitor meets them, in Vietnamese and English: home, search with its
facets, an item with its viewer, the collections, the exhibitions and the error pages; restricted
items are nowhere; every interface message is translated in both languages."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import items as item_service
from archive import public
from archive.home import Archive
from catalogue import i18n
from catalogue.pages import collections as collection_pages
from catalogue.pages import exhibitions as exhibition_pages
from catalogue.pages import items, labels, search
from exhibitions.definition import Exhibition
from tests.conftest import RESTRICTED_TITLE

CATALOGUE = Path(i18n.__file__).parent
SECRET = "BIMAT-7731"  # in the restricted photo's title and the restricted document's text


@pytest.fixture
def ids(catalogue_home) -> dict:
    return catalogue_home["ids"]


def text(response) -> str:
    assert response.mimetype == "text/html", response.mimetype
    return response.get_data(as_text=True)


class Page(HTMLParser):
    """The parts of an HTML page the tests look at: elements with their attributes, the text of
    each element with an id, headings in order, and script blocks."""

    VOID = {"meta", "link", "img", "input", "br", "hr", "source", "area", "base", "col", "wbr"}
    BLOCKS = {"h1", "h2", "h3", "h4", "p", "li", "dt", "dd", "div", "section", "figcaption"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.headings: list[tuple[int, str]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.texts: dict[str, str] = {}
        self._open: list[tuple[str, dict, list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag not in self.VOID:
            self._open.append((tag, attributes, []))

    def handle_endtag(self, tag):
        while self._open:
            name, attributes, parts = self._open.pop()
            content = "".join(parts)
            if self._open:
                # a block's text stands apart from what follows it, as a browser shows it
                self._open[-1][2].append(content + (" " if name in self.BLOCKS else ""))
            if attributes.get("id"):
                self.texts[attributes["id"]] = " ".join(content.split())
            if re.fullmatch(r"h[1-6]", name):
                self.headings.append((int(name[1]), " ".join(content.split())))
            if name == "script":
                self.scripts.append((attributes, content))
            if name == tag:
                break

    def handle_data(self, data):
        if self._open:
            self._open[-1][2].append(data)

    def find(self, tag: str, **wanted) -> list[dict]:
        found = []
        for name, attributes in self.elements:
            if name != tag:
                continue
            if all(attributes.get(k.replace("_", "-")) == v for k, v in wanted.items()):
                found.append(attributes)
        return found

    def one(self, tag: str, **wanted) -> dict:
        found = self.find(tag, **wanted)
        assert len(found) == 1, (tag, wanted, found)
        return found[0]

    def meta(self, prop: str) -> str:
        return self.one("meta", property=prop)["content"]


def parsed(response) -> Page:
    return Page(text(response))


# ---------------------------------------------------------------------------------------------
# Home


def test_home_shows_the_holdings_collections_exhibitions_and_recent_items(client, ids):
    page = parsed(client.get("/?lang=vi"))
    assert page.texts["holdings-total"] == "4 tư liệu, 4 trang"  # the restricted two not counted
    assert "Ảnh 3" in page.texts["holdings-types"]
    assert "Tài liệu 1" in page.texts["holdings-types"]
    assert page.texts["holdings-decades"] == "Thập niên 1970 1 Thập niên 1990 1 Thập niên 2010 1"
    assert page.texts["holdings-collections"] == "kon-tum 4"
    assert page.one("a", href="/exhibitions/quyen-con-nguoi-qua-anh")
    assert "Quyền con người ở Kon Tum qua ảnh" in page.texts["home-exhibitions"]
    recent = page.texts["recent-items"]
    for name in ("anh-0.jpg", "anh-1.jpg", "anh-2.jpg", "ke-hoach.pdf"):
        assert ids[name] in recent
    images = [img for img in page.find("img") if "/iiif/images/" in img["src"]]
    assert {img["alt"] for img in images} >= {"Nhà rông làng Kon Klor", "Lễ hội đâm trâu"}
    assert page.one("form", id="search-form")["action"] == "/search"


def test_a_decade_on_the_home_page_leads_to_its_items(client, ids):
    page = parsed(client.get("/"))
    link = next(a["href"] for a in page.find("a") if a.get("href") == "/search?decade=1970s")
    found = parsed(client.get(link))
    assert ids["anh-0.jpg"] in found.texts["results"]
    assert ids["anh-1.jpg"] not in found.texts["results"]


def test_exhibitions_are_grouped_as_on_now_to_come_and_past():
    def shown(start, end):
        return Exhibition(id="x", kind="photo", title={"vi": "x"}, start=start, end=end)

    today = date(2025, 6, 1)
    assert exhibition_pages.when(shown(date(2025, 5, 1), date(2025, 6, 30)), today) == "current"
    assert exhibition_pages.when(shown(date(2025, 6, 1), date(2025, 6, 1)), today) == "current"
    assert exhibition_pages.when(shown(date(2025, 7, 1), date(2025, 7, 30)), today) == "upcoming"
    assert exhibition_pages.when(shown(date(2024, 12, 10), date(2024, 12, 20)), today) == "past"
    assert exhibition_pages.when(shown(date(2024, 12, 10), None), today) == "past"


# ---------------------------------------------------------------------------------------------
# Languages


def test_pages_are_vietnamese_by_default(client):
    page = parsed(client.get("/search"))
    assert page.one("html")["lang"] == "vi"
    assert page.headings[0] == (1, "Tìm kiếm")
    switch = page.one("a", id="language-switch")
    assert switch["lang"] == "en" and switch["hreflang"] == "en"
    assert page.meta("og:locale") == "vi_VN"


def test_lang_switches_to_english_and_a_cookie_remembers_it(catalogue_app):
    visitor = catalogue_app.test_client()
    response = visitor.get("/collections?lang=en")
    assert parsed(response).one("html")["lang"] == "en"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;")
    assert "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    assert "private" in response.headers["Cache-Control"]  # not for a shared cache to keep
    later = parsed(visitor.get("/exhibitions"))
    assert later.one("html")["lang"] == "en"
    assert later.headings[0] == (1, "Exhibitions")
    assert later.meta("og:locale") == "en_US"
    back = visitor.get("/exhibitions?lang=vi")
    assert back.headers["Set-Cookie"].startswith("lang=vi;")
    assert parsed(visitor.get("/")).one("html")["lang"] == "vi"


def test_an_unknown_language_is_ignored(client):
    response = client.get("/?lang=fr")
    assert parsed(response).one("html")["lang"] == "vi"
    assert "Set-Cookie" not in response.headers


def test_the_language_switch_keeps_the_path_and_the_query(client):
    page = parsed(client.get("/search?q=nha+rong&type=photo&lang=vi"))
    switch = urlsplit(page.one("a", id="language-switch")["href"])
    assert switch.path == "/search"
    assert parse_qs(switch.query) == {"q": ["nha rong"], "type": ["photo"], "lang": ["en"]}


def test_a_title_missing_in_english_falls_back_to_vietnamese_marked_as_such(client, ids):
    page_html = text(client.get(f"/items/{ids['ke-hoach.pdf']}?lang=en"))
    assert '<h1 id="item-title"><span lang="vi">ke-hoach</span></h1>' in page_html
    photo = client.get(f"/items/{ids['anh-0.jpg']}?lang=en")
    page = parsed(photo)
    assert page.texts["item-title"] == "The Kon Klor communal house"
    assert page.one("p", **{"class": "other-title"})["lang"] == "vi"
    assert '<h1 id="item-title">The Kon Klor communal house</h1>' in text(photo)


@pytest.mark.parametrize(("lang", "expected"), [("vi", "1.234.567"), ("en", "1,234,567")])
def test_numbers_are_written_as_the_language_writes_them(catalogue_app, lang, expected):
    with catalogue_app.test_request_context(f"/?lang={lang}"):
        assert labels.number(1234567) == expected
        assert labels.decade_label("1970s") in ("Thập niên 1970", "1970s")
        assert "1.970" not in labels.decade_label("1970s")


DATES = [  # EDTF as written, in Vietnamese, in English
    ("2008-10-22", "ngày 22 tháng 10 năm 2008", "22 October 2008"),
    ("2023-05-05", "ngày 5 tháng 5 năm 2023", "5 May 2023"),
    ("2019-06", "tháng 6 năm 2019", "June 2019"),
    ("2018", "năm 2018", "2018"),
    ("199X", "thập niên 1990", "the 1990s"),
    ("197X", "thập niên 1970", "the 1970s"),
    ("19XX", "thế kỷ XX", "the 20th century"),
    ("20XX", "thế kỷ XXI", "the 21st century"),
    ("18XX", "thế kỷ XIX", "the 19th century"),
    ("1975?", "có lẽ năm 1975", "probably 1975"),
    ("1975~", "khoảng năm 1975", "about 1975"),
    ("1975%", "có lẽ khoảng năm 1975", "probably about 1975"),
    ("1975-04?", "có lẽ tháng 4 năm 1975", "probably April 1975"),
    ("199X~", "khoảng thập niên 1990", "about the 1990s"),
    ("1975/1980", "từ năm 1975 đến năm 1980", "1975 to 1980"),
    ("1975-04-30/1976", "từ ngày 30 tháng 4 năm 1975 đến năm 1976", "30 April 1975 to 1976"),
    ("1975/..", "từ năm 1975", "from 1975"),
    ("1975/", "từ năm 1975", "from 1975"),
    ("../1980", "đến năm 1980", "until 1980"),
    ("2023-02-30", "2023-02-30", "2023-02-30"),  # EDTF-shaped, but no day: as written
    ("2023-13", "2023-13", "2023-13"),
    ("199X-05", "199X-05", "199X-05"),
    ("sometime", "sometime", "sometime"),
    ("../..", "../..", "../.."),
]


@pytest.mark.parametrize(("edtf", "vietnamese", "english"), DATES)
def test_dates_are_written_as_the_page_language_writes_them(
    catalogue_app, edtf, vietnamese, english
):
    for lang, expected in (("vi", vietnamese), ("en", english)):
        with catalogue_app.test_request_context(f"/?lang={lang}"):
            assert labels.display_date(edtf) == expected


def _messages() -> dict[str | tuple[str, ...], str]:
    with open(CATALOGUE / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        CATALOGUE, method_map, options_map
    ):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


def _catalogue(lang: str):
    with open(CATALOGUE / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=lang)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_interface_message_is_translated_and_none_is_stale(lang):
    used = _messages()
    assert len(used) > 100  # the extraction read the templates and the pages
    catalog = _catalogue(lang)
    held = {message.id: message for message in catalog if message.id}
    missing = [f"{where}: {key!r}" for key, where in used.items() if key not in held]
    assert not missing, f"not in the {lang} catalogue:\n" + "\n".join(missing)
    untranslated = [
        key
        for key, message in held.items()
        if not (all(message.string) if isinstance(message.string, tuple) else message.string)
    ]
    assert not untranslated, f"without a {lang} translation: {untranslated}"
    stale = [key for key in held if key not in used]
    assert not stale, f"in the {lang} catalogue but no longer used: {stale}"
    problems = [(message.id, errors) for message, errors in catalog.check()]
    assert not problems  # placeholders such as %(num)s kept in every translation
    assert not [m.id for m in catalog if m.fuzzy and m.id]


def test_a_missing_or_older_compiled_catalogue_is_compiled_again(tmp_path):
    folder = tmp_path / "translations"
    shutil.copytree(CATALOGUE / "translations", folder, ignore=shutil.ignore_patterns("*.mo"))
    written = i18n.compile_catalogues(folder)
    assert sorted(p.parent.parent.name for p in written) == ["en", "vi"]
    assert i18n.compile_catalogues(folder) == []  # up to date: nothing to do
    po = folder / "vi" / "LC_MESSAGES" / "messages.po"
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "Tìm kiếm"', 'msgstr "Tra cứu"'),
        encoding="utf-8",
    )
    mo = po.with_suffix(".mo")
    old = mo.stat().st_mtime - 10
    os.utime(mo, (old, old))
    assert i18n.compile_catalogues(folder) == [mo]
    assert "Tra cứu".encode() in mo.read_bytes()


# ---------------------------------------------------------------------------------------------
# Search


def test_a_search_without_diacritics_finds_the_accented_title(client, ids):
    page = parsed(client.get("/search?q=nha+rong"))
    assert "Nhà rông làng Kon Klor" in page.texts["results"]
    assert ids["anh-1.jpg"] not in page.texts["results"]
    assert "<mark>Nhà</mark> <mark>rông</mark>" in text(client.get("/search?q=nha+rong"))
    assert page.one("input", id="search-q")["value"] == "nha rong"


def test_facets_show_counts_and_their_links_add_and_remove_filters(client, ids):
    page = parsed(client.get("/search?lang=en"))
    assert page.texts["facet-type"] == "Type Photograph 3 Document 1"
    assert "Decade" in page.texts["facet-decade"]
    assert "kon-tum/mat" not in text(client.get("/search"))  # a wholly restricted series
    photo = next(a for a in page.find("a", data_value="photo"))
    narrowed = parsed(client.get(photo["href"]))
    assert (
        "3 results" in narrowed.texts["results-heading"]
        or "3 kết quả" in (narrowed.texts["results-heading"])
    )
    assert ids["ke-hoach.pdf"] not in narrowed.texts["results"]
    chosen = narrowed.one("a", data_value="photo")
    assert chosen["aria-current"] == "true"
    # facets combine: another facet's value keeps the chosen one
    decade = narrowed.one("a", data_value="1970s")["href"]
    assert parse_qs(urlsplit(decade).query) == {"type": ["photo"], "decade": ["1970s"]}
    both = parsed(client.get(decade))
    assert ids["anh-0.jpg"] in both.texts["results"]
    assert ids["anh-1.jpg"] not in both.texts["results"]
    removed = parsed(client.get(chosen["href"]))
    assert ids["ke-hoach.pdf"] in removed.texts["results"]


def test_a_chosen_filter_can_be_removed_even_when_it_matches_nothing(client):
    page = parsed(client.get("/search?q=nha+rong&district=no-such-place&lang=en"))
    assert "nothing-found" in page.texts
    chips = page.texts["chosen-filters"]
    assert "District" in chips and "no-such-place" in chips
    again = page.find("a", href="/search?q=nha+rong")
    assert again  # "search again without the filters" and the chip's own removal


def test_nothing_found_keeps_the_query_and_suggests_what_to_do(client):
    page = parsed(client.get("/search?q=khongcogica&lang=en"))
    assert page.one("input", id="search-q")["value"] == "khongcogica"
    assert "Nothing found" in page.texts["nothing-found"]
    assert "“khongcogica”" in page.texts["nothing-found"]
    assert page.find("a", href="/collections")
    assert "results" not in page.texts


def test_html_in_the_query_is_shown_as_text(client):
    response = client.get("/search", query_string={"q": "<script>alert(1)</script>"})
    body = text(response)
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_html_in_a_value_or_in_the_json_ld_is_shown_as_text(catalogue_app):
    written = "<img src=x onerror=alert(1)></script>"
    with catalogue_app.test_request_context("/?lang=vi"):
        shown = str(i18n.localized({"en": written}).html())
        assert shown == '<span lang="en">&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;</span>'
        data = str(items._script_json({"name": written}))
        assert "<" not in data and json.loads(data) == {"name": written}


def test_results_are_paged_with_links_to_the_other_pages(client, monkeypatch):
    monkeypatch.setattr(search, "PER_PAGE", 1)
    first = parsed(client.get("/search?sort=date"))
    pager = first.texts["results-pages"]
    assert pager.split()[-1] in ("Next", "sau")  # 4 items, one a page: a next page
    current = [
        a for a in first.find("a") if a.get("aria-current") == "page" and "page" in a["href"]
    ]
    assert not current or current[0]["href"] == "/search?sort=date&page=1"
    links = {a["href"] for a in first.find("a") if "page=" in a.get("href", "")}
    assert "/search?sort=date&page=2" in links and "/search?sort=date&page=4" in links
    second = parsed(client.get("/search?sort=date&page=2"))
    assert second.one("ol", id="results")["start"] == "2"
    assert second.texts["results"] != first.texts["results"]
    assert second.one("a", href="/search?sort=date&page=2")["aria-current"] == "page"
    last = parsed(client.get("/search?sort=date&page=99"))  # past the end: the last page
    assert last.texts["results"] == parsed(client.get("/search?sort=date&page=4")).texts["results"]


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "0"},
        {"page": "99999999999999999999"},
        {"sort": "nonsense"},
        {"type": "no-such-type"},
        {"collection": "../../etc"},
        {"year": "not-a-year"},
        {"year": "1975..1980"},
        {"q": "quyền " * 5000},
        {"q": "a\x00b", "type": "photo\x00"},
        {"q": '"unbalanced'},
        {"q": "-"},
        {"q": "access:restricted"},
        {"language": "x" * 10000},
        {"tag": "CRC"},
    ],
)
def test_a_nonsensical_parameter_still_gives_the_search_page(client, query):
    response = client.get("/search", query_string=query)
    assert response.status_code == 200
    assert "search-form" in parsed(response).texts or "search-q" in text(response)


# ---------------------------------------------------------------------------------------------
# An item


def test_an_item_page_has_its_viewer_metadata_download_citation_and_manifest(client, ids):
    accession = ids["anh-0.jpg"]
    response = client.get(f"/items/{accession}?lang=vi")
    page = parsed(response)
    assert page.headings[0] == (1, "Nhà rông làng Kon Klor")
    viewer = page.one("div", id="viewer")
    assert viewer["data-info"] == f"/iiif/images/{accession}/1/info.json"
    assert client.get(viewer["data-info"]).status_code == 200
    download = page.one("a", id="download")
    assert download["href"] == f"/iiif/images/{accession}/1/full/max/0/default.jpg"
    assert "download" in download
    with client.get(download["href"]) as image:
        assert image.status_code == 200 and image.mimetype == "image/jpeg"
    manifest = page.one("a", **{"class": "iiif-link"})["href"]
    assert manifest == (
        f"/iiif/items/{accession}/manifest.json"
        f"?manifest=http://localhost:8000/iiif/items/{accession}/manifest.json"
    )
    assert client.get(manifest).status_code == 200
    fields = page.texts["item-fields"]
    assert accession in fields and "1975" in fields and "Ảnh" in fields
    citation = page.texts["citation"]
    assert citation.startswith("Lưu trữ lịch sử tỉnh Kon Tum, " + accession)
    assert "“Nhà rông làng Kon Klor”, năm 1975, " in citation
    assert citation.endswith(f"http://localhost:8000/items/{accession}")
    for control in ("zoom-in", "zoom-out", "zoom-home", "rotate", "full-screen"):
        assert page.one("button", id=control)["type"] == "button"
    assert not page.find("nav", id="page-nav")  # a photo has one page


def test_an_item_tag_links_to_the_search_for_that_tag(client, ids):
    page = parsed(client.get(f"/items/{ids['anh-0.jpg']}?lang=en"))
    assert "1970s" in page.texts["item-tags"]
    decade = page.one("a", href="/search?decade=1970s")
    found = parsed(client.get(decade["href"]))
    assert ids["anh-0.jpg"] in found.texts["results"]
    district = page.one("a", href="/search?district=kon-tum-city")
    assert ids["anh-0.jpg"] in parsed(client.get(district["href"])).texts["results"]


def test_a_document_shows_one_page_of_text_and_searches_inside_itself(client, ids):
    accession = ids["ke-hoach.pdf"]
    page = parsed(client.get(f"/items/{accession}?lang=en&within=quyen"))
    assert page.texts["page-text"].startswith("Ke hoach tuyen truyen ve quyen con nguoi")
    form = page.one("form", id="search-within")
    assert form["data-search"] == f"/iiif/search/{accession}"
    assert "{count}" in form["data-msg-found"] and "{number}" in form["data-msg-page"]
    assert page.one("input", id="search-within-q")["value"] == "quyen"
    assert page.one("label", **{"for": "search-within-q"})
    assert page.find("ol", id="search-within-hits")
    answer = client.get(f"{form['data-search']}?q=quyen%20tre%20em").get_json()
    target = answer["items"][0]["target"]
    assert re.search(r"/canvas/1#xywh=\d+,\d+,\d+,\d+$", target)  # what catalogue.js reads


def test_a_page_number_out_of_range_shows_a_page_that_exists(client, ids):
    for number in ("0", "7", "abc", "-3"):
        response = client.get(f"/items/{ids['ke-hoach.pdf']}?page={number}")
        assert response.status_code == 200
        assert parsed(response).one("div", id="viewer")["data-page"] == "1"


def test_the_item_json_ld_parses_and_names_the_item(client, ids):
    accession = ids["anh-0.jpg"]
    page = parsed(client.get(f"/items/{accession}?lang=en"))
    blocks = [body for attrs, body in page.scripts if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org"
    assert "Photograph" in data["@type"]
    assert data["name"] == "The Kon Klor communal house"
    assert data["identifier"] == accession
    assert data["dateCreated"] == "1975"
    assert data["contentLocation"]["geo"] == {
        "@type": "GeoCoordinates",
        "latitude": 14.35,
        "longitude": 108.0,
    }
    assert data["holdingArchive"]["name"] == "Kon Tum Provincial Archives"
    assert data["isPartOf"]["url"] == "http://localhost:8000/collections/kon-tum/anh"
    assert data["image"].startswith(f"http://localhost:8000/iiif/images/{accession}/1/full/")
    document = parsed(client.get(f"/items/{ids['ke-hoach.pdf']}"))
    ld = json.loads(next(b for a, b in document.scripts if a.get("type") == "application/ld+json"))
    assert ld["@type"] == "ArchiveComponent" and ld["name"] == "ke-hoach"


def test_the_item_has_open_graph_tags_for_link_previews(client, ids):
    accession = ids["anh-1.jpg"]
    page = parsed(client.get(f"/items/{accession}?lang=vi"))
    assert page.meta("og:title") == "Lễ hội đâm trâu"
    assert page.meta("og:url") == f"http://localhost:8000/items/{accession}"
    assert page.meta("og:locale") == "vi_VN"
    assert page.meta("og:description")
    image = page.meta("og:image")
    assert image.startswith("http://localhost:8000/iiif/images/")
    with client.get(image.removeprefix("http://localhost:8000")) as thumbnail:
        assert thumbnail.status_code == 200
    assert page.one("link", rel="canonical")["href"] == page.meta("og:url")


# ---------------------------------------------------------------------------------------------
# Restricted and unknown things


def test_a_restricted_item_is_a_404_that_tells_nothing_of_it(client, ids):
    for name in ("mat.jpg", "mat.pdf"):
        for lang in ("vi", "en"):
            response = client.get(f"/items/{ids[name]}?lang={lang}")
            assert response.status_code == 404
            body = text(response)
            assert RESTRICTED_TITLE not in body and SECRET not in body
            assert parsed(response).one("html")["lang"] == lang
            # the very page an id that never existed gets: nothing tells the two apart
            unknown = client.get(f"/items/KT-1999-999999?lang={lang}")
            assert body == text(unknown).replace("KT-1999-999999", ids[name])


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/search",
        "/search?q=BIMAT",
        "/search?q=ho+so+mat",
        "/collections",
        "/collections/kon-tum",
    ],
)
def test_restricted_items_are_in_no_list_count_or_facet(client, ids, url):
    body = text(client.get(url))
    for name in ("mat.jpg", "mat.pdf"):
        assert ids[name] not in body
    assert RESTRICTED_TITLE not in body
    assert "kon-tum/mat" not in body and "/collections/kon-tum/mat" not in body


def restrict(home: Path, accession_id: str) -> None:
    """Make an item restricted as another process of the archive would: in a unit of work."""
    archive = Archive.open(home)
    try:
        with archive.change("item set", by="test") as work:
            item_service.edit(work, accession_id, {"access": "restricted"}, "vi")
    finally:
        archive.close()


def test_search_pages_follow_the_database_and_the_index_at_once(
    catalogue_home, shared_database, ids, tmp_path
):
    """The search index may still call it public (it is updated after the database); the
    cards and pages a search keeps between requests are kept for the database's generation
    and the index's commit only."""
    from catalogue.app import create_app

    home = shared_database.copy_home(catalogue_home["home"], tmp_path / "home")
    app = create_app(home)
    try:
        client = app.test_client()
        wanted = ids["anh-0.jpg"]
        for _ in range(2):  # the second time from the kept cards
            assert f"/items/{wanted}" in text(client.get("/search?q=kon+klor"))
        restrict(home, wanted)  # by another process, the index not yet told
        assert f"/items/{wanted}" not in text(client.get("/search?q=kon+klor"))
        # and a page kept is not served once the index has changed, the database unchanged
        other = ids["anh-1.jpg"]
        assert f"/items/{other}" in text(client.get("/search?q=trau"))
        app.extensions["search"].delete([other])
        assert f"/items/{other}" not in text(client.get("/search?q=trau"))
    finally:
        app.extensions["search"].close()
        app.extensions["archive"].close()


def test_a_page_one_server_process_made_serves_the_others_until_the_database_changes(
    catalogue_home, shared_database, ids, tmp_path, monkeypatch
):
    """A server's workers share the pages they make (through a file in the home), keyed by the
    database's count of changes, which every process reads alike."""
    from catalogue.app import create_app

    home = shared_database.copy_home(catalogue_home["home"], tmp_path / "home")
    first, second = create_app(home), create_app(home)  # as two worker processes
    try:
        wanted = ids["anh-0.jpg"]
        made = first.test_client().get(f"/items/{wanted}")
        assert made.status_code == 200
        calls = []
        make = items._item_page
        monkeypatch.setattr(items, "_item_page", lambda i: calls.append(i) or make(i))
        assert second.test_client().get(f"/items/{wanted}").data == made.data
        assert calls == []  # the first one's page
        restrict(home, wanted)  # by another process
        for app in (first, second):
            assert app.test_client().get(f"/items/{wanted}").status_code == 404
    finally:
        for app in (first, second):
            app.extensions["search"].close()
            app.extensions["archive"].close()


def test_results_for_a_word_only_restricted_items_hold_are_nothing(client):
    page = parsed(client.get("/search?q=BIMAT&lang=en"))
    assert "nothing-found" in page.texts


@pytest.mark.parametrize(
    "url",
    [
        "/items/KT-1999-999999",
        "/items/" + "X" * 300,
        "/collections/no-such-fonds",
        "/collections/kon-tum/mat",  # holds only restricted items
        "/exhibitions/no-such-exhibition",
        "/no/such/page",
    ],
)
def test_an_unknown_address_is_a_404_page_in_the_chosen_language(client, url):
    response = client.get(url, query_string={"lang": "en"})
    assert response.status_code == 404
    page = parsed(response)
    assert page.one("html")["lang"] == "en"
    assert page.texts["error-title"] == "Page not found"
    assert "Traceback" not in text(response)
    vietnamese = parsed(client.get(url, query_string={"lang": "vi"}))
    assert vietnamese.texts["error-title"] == "Không tìm thấy trang"


def test_a_wrong_method_is_a_405_with_the_allowed_ones(client):
    response = client.post("/search")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert parsed(response).texts["error-title"] in (
        "Method not allowed",
        "Phương thức không được phép",
    )


def test_a_failure_is_a_500_page_in_the_chosen_language_without_a_trace(catalogue_app, monkeypatch):
    def broken(session):
        raise RuntimeError("the database file is locked at /secret/path")

    monkeypatch.setattr(public, "holdings", broken)
    monkeypatch.setattr(catalogue_app, "testing", False)
    monkeypatch.setitem(catalogue_app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setattr(catalogue_app.logger, "disabled", True)  # the log is for the archivist
    response = catalogue_app.test_client().get("/?lang=en")
    assert response.status_code == 500
    page = parsed(response)
    assert page.texts["error-title"] == "Something went wrong"
    body = text(response)
    assert "Traceback" not in body and "/secret/path" not in body and "RuntimeError" not in body


def test_iiif_and_api_errors_are_left_in_their_own_form(client):
    response = client.get("/iiif/items/KT-1999-999999/manifest.json")
    assert response.status_code == 404
    assert "error-title" not in response.get_data(as_text=True)


# ---------------------------------------------------------------------------------------------
# Collections and exhibitions


def test_the_collections_page_shows_the_tree_with_counts(client):
    page = parsed(client.get("/collections?lang=en"))
    tree = page.texts["collection-tree"]
    assert tree == "kon-tum 4 items anh 3 items van-ban 1 item"
    assert page.one("a", href="/collections/kon-tum/anh")


def test_a_collection_shows_its_parts_and_its_items(client, ids, monkeypatch):
    page = parsed(client.get("/collections/kon-tum?lang=en"))
    assert page.headings[0] == (1, "kon-tum")
    assert page.texts["sub-collections"] == "anh 3 van-ban 1"
    assert ids["ke-hoach.pdf"] in page.texts["collection-items"]
    assert page.one("a", href="/search?collection=kon-tum")
    series = parsed(client.get("/collections/kon-tum/anh/"))
    assert ids["anh-2.jpg"] in series.texts["collection-items"]
    assert ids["ke-hoach.pdf"] not in series.texts["collection-items"]
    monkeypatch.setattr(collection_pages, "PER_PAGE", 2)
    first = parsed(client.get("/collections/kon-tum/anh"))
    assert first.find("a", href="/collections/kon-tum/anh?page=2", rel="next")
    second = parsed(client.get("/collections/kon-tum/anh?page=2"))
    assert second.texts["collection-items"] != first.texts["collection-items"]


def test_the_exhibitions_page_lists_them_by_when_they_are_on(client):
    page = parsed(client.get("/exhibitions?lang=en"))
    assert "Human rights in Kon Tum" in page.texts["exhibitions-past"]
    assert "Archival documents on human rights" in page.texts["exhibitions-past"]


def test_an_exhibition_shows_its_sections_captions_and_viewer(client, ids):
    response = client.get("/exhibitions/quyen-con-nguoi-qua-anh?lang=vi")
    page = parsed(response)
    assert page.headings[0] == (1, "Quyền con người ở Kon Tum qua ảnh")
    facts = page.texts["exhibition"]
    assert "Bộ Thông tin và Truyền thông" in facts and "Bảo tàng tỉnh Kon Tum" in facts
    assert "từ ngày 10 tháng 12 năm 2024 đến ngày 20 tháng 12 năm 2024" in facts
    sections = [page.texts[f"section-{n}"] for n in (1, 2)]
    assert sections[0].startswith("Cộng đồng và làng Nhà rông, lễ hội và sinh hoạt chung.")
    assert "Nhà rông làng Kon Klor" in sections[0]
    assert page.one("a", href=f"/items/{ids['anh-0.jpg']}")
    buttons = page.find("button", **{"class": "show-in-viewer"})
    assert len(buttons) == 3
    for button in buttons:
        assert client.get(button["data-info"]).status_code == 200
    assert page.one("div", id="viewer")["data-prefix"] == "/assets/openseadragon/images/"
    manifest = page.one("a", **{"class": "iiif-link"})["href"]
    assert manifest.startswith("/iiif/exhibitions/quyen-con-nguoi-qua-anh/manifest.json?manifest=")
    assert client.get(manifest).status_code == 200


def test_an_exhibition_caption_in_vietnamese_only_is_marked_on_the_english_page(client):
    page = text(client.get("/exhibitions/tai-lieu-luu-tru-quyen-con-nguoi?lang=en"))
    assert '<span lang="vi">ke-hoach</span>' in page


# ---------------------------------------------------------------------------------------------
# Files, caching, headers, and what every page is made of


def test_the_viewer_and_the_static_files_are_served_to_be_cached_long(client):
    page = parsed(client.get("/exhibitions/quyen-con-nguoi-qua-anh"))
    scripts = [s["src"] for s in page.find("script") if s.get("src")]
    assert any(s.startswith("/assets/openseadragon/openseadragon.min.js?v=") for s in scripts)
    styles = [link["href"] for link in page.find("link", rel="stylesheet")]
    for url in [*scripts, *styles, "/assets/openseadragon/images/home_rest.png"]:
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert response.cache_control.max_age >= 30 * 86400, url
            assert response.headers.get("ETag"), url
    with client.get("/assets/openseadragon/../../../archive.toml") as response:
        assert response.status_code == 404


def test_pages_are_cached_for_a_minute_by_language_and_answer_304_to_their_etag(client):
    response = client.get("/collections")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in response.headers["Vary"]
    again = client.get("/collections", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_item_and_search_pages_go_compressed_to_clients_that_accept_gzip(client, ids):
    for url in (f"/items/{ids['anh-0.jpg']}", "/search?q=nha"):
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0, br"})
        assert packed.headers["Content-Encoding"] == "gzip", url
        assert "Content-Encoding" not in plain.headers and "Content-Encoding" not in refused.headers
        assert gzip.decompress(packed.data) == plain.data == refused.data
        assert "<h1" in plain.text
        for response in (plain, packed):
            assert {"Accept-Encoding", "Cookie"} <= set(response.vary), url
        # two representations, two ETags; each answers 304 to its own
        assert packed.headers["ETag"] != plain.headers["ETag"]
        again = client.get(
            url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
        )
        assert again.status_code == 304, url


def test_kept_pages_stay_within_their_budget_of_bytes():
    from catalogue.cache import Cache, Page

    pages_ = Cache(10_000, weigh=lambda page: len(page.gzipped))
    made = {n: Page.of(f"<p>{n}</p>" + os.urandom(1500).hex()) for n in range(20)}
    for n, page in made.items():
        pages_.put(n, page)
        assert pages_.weight <= 10_000
    assert 2 < len(pages_) < 20
    assert pages_.get(19).html().decode().startswith("<p>19</p>")  # the latest kept
    assert pages_.get(0) is None  # the oldest dropped
    assert Page.of("<p>same</p>") == Page.of("<p>same</p>")  # same bytes in every process


def test_pages_carry_the_security_headers_and_no_inline_code(client, ids):
    for url in (
        "/",
        "/search?q=nha",
        f"/items/{ids['anh-0.jpg']}",
        "/exhibitions/quyen-con-nguoi-qua-anh",
        "/nope",
    ):
        response = client.get(url)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Access-Control-Allow-Origin" not in response.headers
        page = parsed(response)
        for attributes, _body in page.scripts:
            assert attributes.get("src") or attributes.get("type") == "application/ld+json"
        assert not any("style" in attributes for _, attributes in page.elements)
        assert not page.find("style")
        assert not any(k.startswith("on") for _, a in page.elements for k in a)


PAGES = [
    "/",
    "/search",
    "/search?q=nha+rong",
    "/search?q=khongcogica&type=photo",
    "/collections",
    "/collections/kon-tum",
    "/exhibitions",
    "/exhibitions/quyen-con-nguoi-qua-anh",
    "/exhibitions/tai-lieu-luu-tru-quyen-con-nguoi",
    "/no/such/page",
]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_page_has_landmarks_ordered_headings_labels_and_alt_text(client, ids, lang):
    urls = [*PAGES, f"/items/{ids['anh-0.jpg']}", f"/items/{ids['ke-hoach.pdf']}"]
    for url in urls:
        page = parsed(client.get(url + ("&" if "?" in url else "?") + f"lang={lang}"))
        skip = page.find("a", **{"class": "skip-link"})
        assert skip and skip[0]["href"] == "#main", url
        assert page.one("main")["id"] == "main"
        for landmark in ("header", "nav", "footer"):
            assert page.find(landmark), (url, landmark)
        levels = [level for level, _ in page.headings]
        assert levels.count(1) == 1 and levels[0] == 1, (url, page.headings)
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, (url, page.headings)  # no level skipped
        labelled = {label["for"] for label in page.find("label") if "for" in label}
        for control in page.find("input") + page.find("select"):
            if control.get("type") != "hidden":
                assert control.get("id") in labelled or control.get("aria-label"), (url, control)
        for image in page.find("img"):
            assert "alt" in image, (url, image)
        current = [a for a in page.find("a") if a.get("aria-current") == "page"]
        assert len(current) <= 2, (url, current)  # the menu's and the pager's


def test_the_menu_marks_the_page_the_visitor_is_on(client):
    page = parsed(client.get("/collections"))
    assert page.one("a", href="/collections", aria_current="page")
    assert not page.find("a", href="/search", aria_current="page")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        ("--text", "--bg"),
        ("--muted", "--bg"),
        ("--link", "--bg"),
        ("--header-text", "--header-bg"),
        ("--button-text", "--button-bg"),
        ("--link", "--chip-bg"),
        ("--text", "--footer-bg"),
        ("--muted", "--footer-bg"),
        ("--link", "--footer-bg"),
        ("--text", "--mark"),
        ("--focus", "--bg"),
    ],
)
def test_text_colours_contrast_at_least_4_5_to_1(foreground, background):
    css = (CATALOGUE / "static" / "catalogue.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-fA-F]{6});", css))
    assert _contrast(colours[foreground], colours[background]) >= 4.5


def test_the_iiif_logo_and_the_icon_are_drawn_here(client):
    for name in ("iiif.svg", "favicon.svg"):
        with client.get(f"/static/{name}") as response:
            assert response.status_code == 200
            assert response.mimetype == "image/svg+xml"


# ---------------------------------------------------------------------------------------------
# No query string breaks a page


_values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["\x00", "-1", "0", "abc", "9" * 30, "%", "../..", "<b>", "photo", "1970s"]),
    st.just("ắ" * 3000),
)
_keys = st.one_of(
    st.sampled_from(
        ["q", "page", "sort", "type", "decade", "collection", "language", "lang", "within", "year"]
    ),
    st.text(min_size=1, max_size=20),
)


@settings(max_examples=60, deadline=None)
@given(
    path=st.sampled_from(
        [
            "/search",
            "/collections/kon-tum",
            "/collections/kon-tum/anh",
            "/items/{photo}",
            "/items/{document}",
            "/",
        ]
    ),
    query=st.lists(st.tuples(_keys, _values), max_size=6),
)
def test_no_query_string_makes_a_page_fail(catalogue_app, catalogue_home, path, query):
    ids = catalogue_home["ids"]
    url = path.format(photo=ids["anh-0.jpg"], document=ids["ke-hoach.pdf"])
    response = catalogue_app.test_client().get(url, query_string=query)
    assert response.status_code < 500


# ---------------------------------------------------------------------------------------------
# What visitors in either language read: names of themes, every language of a field, dates


PUBLIC_ADDRESS = "https://tulieu.example.vn"


@pytest.fixture(scope="module")
def visited(tmp_path_factory, shared_database) -> dict:
    """An archive published at PUBLIC_ADDRESS: a photo in Vietnamese alone (its description
    also in English and Ba Na) dated `199X`, subjects that are the names of themes, and a
    one-page scanned document dated to the day; an exhibition of the photo. Its ids by role,
    and a client of its catalogue."""
    from click.testing import CliRunner

    from catalogue.app import create_app
    from tests.conftest import Cli, make_image

    root = tmp_path_factory.mktemp("visited")
    home = shared_database.prepare(root / "home")
    run = Cli(CliRunner(), home, root)
    assert run("init").exit_code == 0
    with open(home / "archive.toml", "a", encoding="utf-8") as settings_file:
        settings_file.write(f'\nbase_url = "{PUBLIC_ADDRESS}"\n')
    photos, scans = root / "photos", root / "scans"
    make_image(photos / "lop-hoc.jpg", size=(300, 200), color=(120, 90, 60))
    (photos / "metadata.csv").write_text(
        "file,title,description,description_en,description_bdq,date,subject\n"
        "lop-hoc.jpg,Lớp học tình thương ở Đắk Hà,Các em học sinh theo Công ước về quyền trẻ em,"
        "Pupils in class,Hơdrông kon hok,199X,Trẻ em;giáo dục;lớp học\n",
        encoding="utf-8",
    )
    make_image(scans / "to-trinh.png", size=(200, 280), color=255)
    (scans / "metadata.csv").write_text(
        "file,title,date\nto-trinh.png,Tờ trình số 12,2008-10-22\n", encoding="utf-8"
    )
    ids = {}
    for folder, options in ((photos, ["--collection", "kho/anh"]), (scans, ["--type", "document"])):
        result, report = run.ingest(folder, *options)
        assert result.exit_code == 0, result.output
        ids.update({Path(e["input"]).name: e["item"] for e in report["inputs"]})
    (home / "exhibitions" / "lop-hoc.yaml").write_text(
        "id: lop-hoc\nkind: photo\ntitle: {vi: Lớp học, en: Classes}\n"
        "dates: {start: 2024-12-10, end: 2024-12-20}\n"
        "rights: http://rightsstatements.org/vocab/InC-EDU/1.0/\n"
        f"sections:\n  - title: {{vi: Lớp học}}\n    items:\n      - item: {ids['lop-hoc.jpg']}\n",
        encoding="utf-8",
    )
    assert run("exhibition", "publish", home / "exhibitions" / "lop-hoc.yaml").exit_code == 0
    app = create_app(home)
    app.testing = True
    yield {"ids": ids, "client": app.test_client()}
    app.extensions["search"].close()
    app.extensions["archive"].close()


def test_an_english_visitor_finds_items_in_vietnamese_by_the_names_of_their_themes(visited):
    client, photo = visited["client"], visited["ids"]["lop-hoc.jpg"]
    for query in ("children", "rights of the child", "education"):
        page = parsed(client.get(f"/search?lang=en&q={query}"))
        assert photo in page.texts.get("results", ""), query
    facet = parsed(client.get("/search?lang=en")).texts["facet-theme"]
    assert "Children" in facet and "Trẻ em" not in facet
    assert "Trẻ em" in parsed(client.get("/search?lang=vi")).texts["facet-theme"]


def test_subjects_that_name_a_theme_are_shown_in_the_visitors_language(visited):
    client, photo = visited["client"], visited["ids"]["lop-hoc.jpg"]
    english = client.get(f"/items/{photo}?lang=en")
    subjects = ItemFields(text(english)).values["Subjects"]
    # a subject that names no concept stays as written, in the catalogue's language
    assert subjects == [("Children", None), ("Education", None), ("lớp học", "vi")]
    assert "Children" in parsed(english).texts["item-tags"]
    vietnamese = ItemFields(text(client.get(f"/items/{photo}?lang=vi"))).values
    assert vietnamese["Chủ đề"] == [("Trẻ em", None), ("Giáo dục", None), ("lớp học", None)]


class ItemFields(HTMLParser):
    """The item page's fields (`dl#item-fields`): label -> [(text, lang of its value)]."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[tuple[str, str | None]]] = {}
        self._inside, self._label, self._tag, self._lang, self._text = False, "", "", None, ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "dl" and attributes.get("id") == "item-fields":
            self._inside = True
        elif self._inside and tag in ("dt", "dd"):
            self._tag, self._lang, self._text = tag, None, ""
        elif self._inside and self._tag == "dd" and "lang" in attributes:
            self._lang = attributes["lang"]

    def handle_endtag(self, tag):
        if tag == "dl":
            self._inside = False
        elif self._inside and tag == "dt":
            self._label = self._text.strip()
            self.values[self._label] = []
        elif self._inside and tag == "dd":
            self.values[self._label].append((self._text.strip(), self._lang))
        if tag in ("dt", "dd"):
            self._tag = ""

    def handle_data(self, data):
        if self._tag:
            self._text += data


def test_every_language_of_a_description_is_shown_the_visitors_first_with_its_name(visited):
    client, photo = visited["client"], visited["ids"]["lop-hoc.jpg"]
    for lang, order, names in (
        ("en", ["en", "vi", "bdq"], ["English", "Vietnamese", "Bahnar"]),
        ("vi", ["vi", "en", "bdq"], ["Tiếng Việt", "Tiếng Anh", "Tiếng Ba Na"]),
    ):
        html = text(client.get(f"/items/{photo}?lang={lang}"))
        page = Page(html)
        shown = page.find("p", **{"class": "description"})
        assert [p["lang"] for p in shown] == order
        labels_ = page.find("span", **{"class": "language-name"})
        assert [span["lang"] for span in labels_] == [lang] * 3  # named in the page's language
        assert re.findall(r'class="language-name" lang="\w+">([^<]+)</span>', html) == names
        assert "Hơdrông kon hok" in page.texts["item-description"]
    english = Page(text(client.get(f"/items/{photo}?lang=en")))
    # the title, in Vietnamese only, falls back to it, marked as such, with no other titles
    assert english.one("h1", id="item-title") and not english.find("p", **{"class": "other-title"})


def test_a_title_in_two_languages_names_the_other_one(client, ids):
    html = text(client.get(f"/items/{ids['anh-0.jpg']}?lang=en"))
    assert (
        '<p class="other-title" lang="vi"><span class="language-name" lang="en">Vietnamese</span>'
        " Nhà rông làng Kon Klor</p>" in html
    )
    described = text(client.get(f"/items/{ids['anh-1.jpg']}?lang=en"))
    assert 'class="description"' not in described  # nothing described, nothing shown


@pytest.mark.parametrize(
    ("lang", "decade", "day", "on"),
    [
        ("vi", "thập niên 1990", "ngày 22 tháng 10 năm 2008",
         "từ ngày 10 tháng 12 năm 2024 đến ngày 20 tháng 12 năm 2024"),
        ("en", "the 1990s", "22 October 2008", "10 December 2024 to 20 December 2024"),
    ],
)  # fmt: skip
def test_dates_are_written_one_way_on_every_page(visited, lang, decade, day, on):
    client, ids = visited["client"], visited["ids"]
    photo, scan = ids["lop-hoc.jpg"], ids["to-trinh.png"]

    def shown(url: str, kind: str) -> list[str]:
        return re.findall(rf'<(?:span|p|dd) class="{kind}">([^<]*)', text(client.get(url)))

    date_field = message_in("Date", lang)
    assert ItemFields(text(client.get(f"/items/{photo}?lang={lang}"))).values[date_field] == [
        (decade, None)
    ]
    assert ItemFields(text(client.get(f"/items/{scan}?lang={lang}"))).values[date_field] == [
        (day, None)
    ]
    citation = parsed(client.get(f"/items/{scan}?lang={lang}")).texts["citation"]
    assert f", {day}, " in citation
    assert shown(f"/search?q=lop+hoc&lang={lang}", "card-date") == [decade]
    assert set(shown(f"/search?lang={lang}", "card-date")) == {decade, day}
    assert shown(f"/collections/kho/anh?lang={lang}", "card-date") == [decade]
    assert set(shown(f"/?lang={lang}", "card-date")) == {decade, day}  # recently added
    assert shown(f"/?lang={lang}", "dates") == [on]
    exhibition = text(client.get(f"/exhibitions/lop-hoc?lang={lang}"))
    assert f"<dd>{on}</dd>" in exhibition and f" · {decade}</span>" in exhibition
    assert shown(f"/exhibitions?lang={lang}", "dates") == [on]


def message_in(message: str, lang: str) -> str:
    """A message of the catalogue in `lang`."""
    return {message.id: message.string for message in _catalogue(lang)}[message]


# ---------------------------------------------------------------------------------------------
# Wording


def test_the_rights_field_says_it_is_about_using_the_item(visited):
    client, photo = visited["client"], visited["ids"]["lop-hoc.jpg"]
    vietnamese = ItemFields(text(client.get(f"/items/{photo}?lang=vi"))).values
    # "Quyền" alone, in a human-rights archive, reads as the rights the item is about
    assert "Quyền" not in vietnamese and "Quyền sử dụng" in vietnamese
    assert "Usage rights" in ItemFields(text(client.get(f"/items/{photo}?lang=en"))).values


@pytest.mark.parametrize(
    ("name", "lang", "heading", "download"),
    [
        ("to-trinh.png", "vi", "Tài liệu", "Tải trang này xuống (JPEG)"),
        ("lop-hoc.jpg", "vi", "Ảnh chụp", "Tải ảnh này xuống (JPEG)"),
        ("to-trinh.png", "en", "The document", "Download this page (JPEG)"),
        ("lop-hoc.jpg", "en", "The photograph", "Download this photograph (JPEG)"),
    ],
)
def test_the_viewer_is_named_by_the_type_of_the_item(visited, name, lang, heading, download):
    page = parsed(visited["client"].get(f"/items/{visited['ids'][name]}?lang={lang}"))
    assert page.texts["viewer-heading"] == heading
    assert page.texts["download"] == download
    if name == "to-trinh.png" and lang == "vi":
        assert "Ảnh" not in page.one("div", id="viewer")["aria-label"]


def test_the_iiif_links_say_in_words_what_they_are_for(visited):
    client, photo = visited["client"], visited["ids"]["lop-hoc.jpg"]
    for url in (f"/items/{photo}", "/exhibitions/lop-hoc"):
        for lang, words in (("vi", "để xem"), ("en", "to see")):
            html = text(client.get(f"{url}?lang={lang}"))
            label = re.search(r'class="iiif-link".*?<span>([^<]+)</span>', html, re.S).group(1)
            assert label.startswith(("Tệp mô tả IIIF", "IIIF manifest")) and words in label
            assert "trình xem IIIF khác" in label or "in another IIIF viewer" in label
            page = Page(html)
            assert page.one("a", **{"class": "iiif-link"})["aria-describedby"] == "iiif-help"
            assert "Mirador" in page.texts["iiif-help"]


def test_the_viewer_help_for_keys_and_for_touch_screens_are_both_there_for_the_stylesheet(
    visited,
):
    page = text(visited["client"].get(f"/items/{visited['ids']['lop-hoc.jpg']}?lang=en"))
    assert '<span class="help-keys">' in page and "arrow keys" in page
    assert '<span class="help-touch">' in page and "pinch" in page
    css = text_of_static(visited["client"], "catalogue.css")
    assert re.search(r"@media \(hover: none\) and \(pointer: coarse\)\s*\{\s*\.help-keys", css)


def text_of_static(client, name: str) -> str:
    with client.get(f"/static/{name}") as response:
        return response.get_data(as_text=True)


def test_a_citation_names_the_public_address_whatever_address_the_request_came_by(visited):
    client, scan = visited["client"], visited["ids"]["to-trinh.png"]
    for host in ("localhost", "10.0.0.5:8000", "tulieu.example.vn"):
        page = parsed(client.get(f"/items/{scan}?lang=en", headers={"Host": host}))
        assert page.texts["citation"].endswith(f"{PUBLIC_ADDRESS}/items/{scan}")
        link = [a for a in page.find("a") if a.get("href", "").endswith(f"/items/{scan}")]
        assert {a["href"] for a in link} == {f"{PUBLIC_ADDRESS}/items/{scan}"}
