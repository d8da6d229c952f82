"""What search engines are told: the sitemap lists every public page and nothing restricted,
split into parts past 50,000 addresses, built in one query of the items; robots.txt keeps
crawlers out of the API and the search results and names the sitemap."""

from __future__ import annotations

import math
import re
import time
import urllib.robotparser
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from sqlalchemy import event, insert

from archive.home import Archive
from archive.models import Item
from catalogue import seo
from tests.conftest import RESTRICTED_TITLE

BASE = "http://localhost:8000"
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LASTMOD = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def urlset(response) -> dict[str, str | None]:
    """loc -> lastmod of a sitemap, checked against the sitemaps.org rules on the way."""
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{NS}urlset"
    found: dict[str, str | None] = {}
    for url in root:
        assert url.tag == f"{NS}url"
        assert {child.tag for child in url} <= {f"{NS}loc", f"{NS}lastmod"}
        loc = url.findtext(f"{NS}loc")
        assert loc and loc.startswith(f"{BASE}/"), loc
        assert loc not in found, f"{loc} twice"
        lastmod = url.findtext(f"{NS}lastmod")
        assert lastmod is None or LASTMOD.fullmatch(lastmod), lastmod
        found[loc] = lastmod
    assert len(found) <= seo.MAX_URLS
    return found


def test_the_sitemap_lists_every_public_page_and_no_restricted_one(client, catalogue_home):
    ids = catalogue_home["ids"]
    response = client.get("/sitemap.xml")
    found = urlset(response)
    for name in ("anh-0.jpg", "anh-1.jpg", "anh-2.jpg", "ke-hoach.pdf"):
        assert found[f"{BASE}/items/{ids[name]}"], name  # with its lastmod
    body = response.get_data(as_text=True)
    for name in ("mat.jpg", "mat.pdf"):
        assert ids[name] not in body
    assert "BIMAT" not in body and RESTRICTED_TITLE not in body
    assert {f"{BASE}/", f"{BASE}/collections", f"{BASE}/exhibitions"} <= set(found)
    assert f"{BASE}/exhibitions/quyen-con-nguoi-qua-anh" in found
    collections = {loc for loc in found if loc.startswith(f"{BASE}/collections/")}
    assert collections == {
        f"{BASE}/collections/kon-tum",
        f"{BASE}/collections/kon-tum/anh",
        f"{BASE}/collections/kon-tum/van-ban",
    }
    assert not [loc for loc in found if "/search" in loc or "/api/" in loc]


def test_an_items_lastmod_is_when_its_record_last_changed(client, catalogue_home):
    accession = catalogue_home["ids"]["anh-1.jpg"]
    found = urlset(client.get("/sitemap.xml"))
    updated = client.get(f"/api/items/{accession}").get_json()["updated_at"]
    assert found[f"{BASE}/items/{accession}"] == updated[:19] + "Z"


def test_past_its_limit_the_sitemap_becomes_an_index_of_parts(client, monkeypatch):
    whole = urlset(client.get("/sitemap.xml"))
    monkeypatch.setattr(seo, "MAX_URLS", 3)
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{NS}sitemapindex"
    parts = [sitemap.findtext(f"{NS}loc") for sitemap in root]
    assert parts == [f"{BASE}/sitemap-{n}.xml" for n in range(1, math.ceil(len(whole) / 3) + 1)]
    joined: dict[str, str | None] = {}
    for part in parts:
        found = urlset(client.get(part.removeprefix(BASE)))
        assert not set(found) & set(joined)
        joined |= found
    assert joined == whole
    assert client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404
    assert client.get("/sitemap-99999999999999999999.xml").status_code == 404


def test_the_sitemap_answers_304_to_its_etag(client):
    first = client.get("/sitemap.xml")
    again = client.get("/sitemap.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def _many_items(home: Path, count: int) -> None:
    archive = Archive.open(home)
    try:
        with archive.session() as session:
            session.execute(
                insert(Item),
                [
                    {
                        "accession_id": f"KT-2024-{n:06d}",
                        "type": "photo",
                        "content_hash": f"{n:064x}",
                        "rights": "http://rightsstatements.org/vocab/CNE/1.0/",
                        "access": "restricted" if n % 10 == 0 else "public",
                        "updated_at": datetime(2024, 5, 5, 12, 0, n % 60),
                    }
                    for n in range(1, count + 1)
                ],
            )
    finally:
        archive.close()


def test_the_sitemap_of_twelve_thousand_items_takes_one_query_of_them(home):
    from catalogue.app import create_app

    _many_items(home, 12_000)
    app = create_app(home)
    engine = app.extensions["archive"].engine
    statements: list[str] = []

    def record(_connection, _cursor, statement: str, *_) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        started = time.perf_counter()
        response = app.test_client().get("/sitemap.xml")
        elapsed = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", record)
        app.extensions["search"].close()
        app.extensions["archive"].close()
    found = urlset(response)
    items = [loc for loc in found if "/items/" in loc]
    assert len(items) == 10_800  # every tenth is restricted
    assert f"{BASE}/items/KT-2024-000010" not in found
    assert f"{BASE}/items/KT-2024-000011" in found
    assert len([s for s in statements if "items.accession_id" in s]) == 1
    assert elapsed < 5, f"{elapsed:.2f} s"


def test_robots_keeps_crawlers_out_of_endless_pages_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.get_data(as_text=True).splitlines()
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(lines)
    for allowed in ("/", "/items/KT-2026-000001", "/collections/kon-tum", "/exhibitions"):
        assert robots.can_fetch("*", BASE + allowed), allowed
    for barred in ("/api/items", "/api/search?q=a", "/search", "/search?q=quyen&page=3"):
        assert not robots.can_fetch("*", BASE + barred), barred
    assert robots.site_maps() == [f"{BASE}/sitemap.xml"]
