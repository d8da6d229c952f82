"""The plan's report on the web: `/staff/report` (figures, charts drawn on the server, each count
linking to the items it counts, in Vietnamese and English) and the public `/api/stats`, which
counts public items alone; the catalogue's use counted per day, route and item."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from archive import users
from archive.models import DailyViews
from archive.usage import Tally
from catalogue.app import create_app
from tests import report_archive
from tests.conftest import wait_for
from tests.report_archive import EXHIBITIONS, ITEMS
from tests.test_catalogue_api import conforms

PASSWORD = "correct horse battery"
RESTRICTED = [s for s in ITEMS if not s.shown]


@pytest.fixture
def app(home):
    made = create_app(home)
    archive = made.extensions["archive"]
    report_archive.build(archive)
    with archive.change("user add", by="setup") as work:
        users.add(work, "dung", "viewer", PASSWORD)
    yield made
    made.extensions["catalogue.kept"].close()
    made.extensions["search"].close()
    archive.close()


def signed_in(app, name: str = "dung"):
    client = app.test_client()
    with app.extensions["archive"].session() as session:
        key = users.open_session(session, users.find(session, name))
    with client.session_transaction("/staff/") as kept:
        kept["staff"] = key
    return client


def test_a_viewer_reads_the_report_with_its_charts_and_definitions(app):
    client = signed_in(app)
    answer = client.get("/staff/report?from=2023-01-01&to=2024-12-31&by=year&lang=en")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "Items catalogued" in html and "As at the end of each period." in html
    assert "Products in ethnic-minority and foreign languages: share" in html
    assert "(target 15–20%)" in html and "(over the target)" in html
    assert "Bộ Thông tin và Truyền thông" in html  # an exhibition's partner
    charts = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', html)
    assert len(charts) == 3
    for address, alt in charts:
        chart = client.get(address.replace("&amp;", "&"))
        assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
        assert chart.data.startswith(b"<?xml") and b"<script" not in chart.data
        assert alt.endswith("The figures are in the tables below.")
    assert "<script" not in html.split("</head>")[1] and " style=" not in html
    vi = client.get("/staff/report?lang=vi").get_data(as_text=True)
    assert "Tài liệu đã biên mục" in vi and "Tính đến hết mỗi kỳ." in vi


def test_each_count_links_to_the_items_it_counts(app):
    client = signed_in(app)
    html = client.get("/staff/report?from=2023-01-01&to=2024-12-31&by=year&lang=en").text
    link = re.search(r'href="(/staff/report/items\?figure=language.material:minority[^"]*)"', html)
    listed = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    wanted = {s.accession for s in ITEMS if {"bdq", "sed", "jra"} & set(s.languages)}
    wanted = {a for a in wanted if a.startswith("KT-2023")}  # the first link: 2023
    assert set(re.findall(r"KT-\d{4}-\d{6}", listed)) == wanted
    assert "Items whose material is in a language of this class." in listed


def test_a_bad_period_is_named_and_the_plans_period_shown(app):
    client = signed_in(app)
    answer = client.get("/staff/report?from=31-12-2024&lang=en")
    assert answer.status_code == 400
    assert "31-12-2024 is not a date, such as 2024-01-31." in answer.get_data(as_text=True)


def test_the_report_needs_a_signed_in_person(app):
    answer = app.test_client().get("/staff/report")
    assert answer.status_code == 302 and "/staff/login" in answer.headers["Location"]
    assert app.test_client().get("/api/stats").status_code == 200  # the public figures


def test_api_stats_counts_no_restricted_item(app):
    answer = app.test_client().get("/api/stats?from=2023-01-01&to=2024-12-31&by=quarter")
    document = conforms(answer, "/api/stats")  # as catalogue/openapi.yaml describes it
    assert answer.status_code == 200 and len(document["periods"]) == 8
    assert document["public_only"] is True
    figures = {f["id"]: f for s in document["sections"] for f in s["figures"]}
    assert figures["catalogued"]["total"] == sum(1 for s in ITEMS if s.shown)
    assert not [name for name in figures if "restricted" in name]
    text = answer.get_data(as_text=True)
    for spec in RESTRICTED:
        assert spec.accession not in text
    public = [e[0] for e in EXHIBITIONS if e[1] == "published" and e[2] == "public"]
    exhibitions = next(s for s in document["sections"] if s["id"] == "exhibitions")
    assert [row["slug"] for row in exhibitions["rows"]] == public
    assert client_error(app, "/api/stats?from=2024-02-30") == "from '2024-02-30' is not a date"


def client_error(app, address: str) -> str:
    answer = app.test_client().get(address)
    assert answer.status_code == 400
    return conforms(answer, "/api/stats")["error"].split(" (")[0]


def test_item_pages_searches_and_manifests_are_counted_per_day_without_who(app):
    client = app.test_client()
    public, restricted = ITEMS[0].accession, RESTRICTED[0].accession
    assert client.get(f"/items/{public}").status_code == 200
    assert client.get(f"/items/{public}?lang=en").status_code == 200
    assert client.get(f"/items/{restricted}").status_code == 404  # not counted
    assert client.get("/search?q=nh%C3%A0").status_code == 200
    assert client.get("/search").status_code == 200  # the page opened: nothing searched
    assert client.get(f"/api/items/{public}").status_code == 200
    app.extensions["catalogue.use"].flush()
    with app.extensions["archive"].session() as session:
        query = select(DailyViews.route, DailyViews.key, DailyViews.count).where(
            DailyViews.route.in_(("item", "search", "manifest")), DailyViews.day > date(2025, 1, 1)
        )
        rows = session.execute(query).all()
    assert sorted(rows) == [("item", public, 3), ("search", "", 1)]
    assert [c.name for c in DailyViews.__table__.columns] == ["day", "route", "key", "count"]


def _counts(archive, route: str) -> dict[str, int]:
    with archive.session() as session:
        query = select(DailyViews.key, DailyViews.count).where(DailyViews.route == route)
        return dict(session.execute(query).all())


def test_the_tally_writes_beside_the_requests_once_enough_are_counted(archive):
    tally = Tally(archive, every=3600, most=3)
    tally.count("manifest", "KT-2024-000001")
    tally.count("manifest", "KT-2024-000001")
    assert _counts(archive, "manifest") == {}  # kept in memory: no write per request
    tally.count("manifest", "KT-2024-000002")  # the third: written in a thread of its own
    wait_for(lambda: _counts(archive, "manifest"), "the counts written")
    assert _counts(archive, "manifest") == {"KT-2024-000001": 2, "KT-2024-000002": 1}
    tally.count("manifest", "KT-2024-000001")
    tally.flush()  # as a server's worker does when it exits
    assert _counts(archive, "manifest") == {"KT-2024-000001": 3, "KT-2024-000002": 1}
