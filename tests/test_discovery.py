"""IIIF Change Discovery 1.0 at /iiif/discovery/: the Ordered Collection and its pages keep the
specification's shape (tests/data/discovery), activities are in order, newest last, across
pages, and follow the public-only rules: a restricted item is a Delete, one never public is
never named; exhibitions published and taken down are Create and Delete."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from archive import items
from archive.home import Archive
from archive.models import PublishedExhibition
from catalogue import discovery
from catalogue.app import create_app
from exhibitions import lifecycle, publish
from tests.conftest import make_image
from tests.oai_support import make_items

SCHEMAS = Path(__file__).parent / "data" / "discovery"
COLLECTION = json.loads((SCHEMAS / "collection.schema.json").read_text(encoding="utf-8"))
PAGE = json.loads((SCHEMAS / "page.schema.json").read_text(encoding="utf-8"))
BASE = "http://localhost:8000"
EXHIBITION = """id: ngay-hoi
kind: photo
title: {{vi: "Ngày hội", en: "Festival days"}}
rights: http://creativecommons.org/licenses/by/4.0/
access: public
sections:
  - title: {{vi: "Ảnh", en: "Photos"}}
    items:
      - item: {item}
"""


@pytest.fixture
def discovered(home, monkeypatch):
    monkeypatch.setattr(discovery, "PAGE_SIZE", 2)  # a few activities make several pages
    archive = Archive.open(home)
    app = create_app(home)
    app.testing = True
    yield archive, app
    app.extensions["search"].close()
    app.extensions["archive"].close()
    archive.close()


def activities(app) -> list[dict]:
    """Every activity, following the pages from `first` to `last`, each page checked."""
    client = app.test_client()
    response = client.get("/iiif/discovery/all-changes.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    top = response.get_json()
    jsonschema.validate(top, COLLECTION)
    found, address, previous, number = [], top["first"]["id"], None, 0
    while address:
        document = client.get(address.removeprefix(BASE)).get_json()
        jsonschema.validate(document, PAGE)
        assert document["partOf"]["id"] == top["id"]
        assert document["startIndex"] == len(found)
        assert document.get("prev", {}).get("id") == previous
        found += document["orderedItems"]
        previous, address = address, document.get("next", {}).get("id")
        number += 1
    assert previous == top["last"]["id"]
    assert len(found) == top["totalItems"]
    times = [activity["endTime"] for activity in found]
    assert times == sorted(times)  # newest last
    return found


def manifest(accession_id: str) -> str:
    return f"{BASE}/iiif/items/{accession_id}/manifest.json"


def test_each_public_change_is_an_activity_and_the_restricted_are_never_named(discovered):
    archive, app = discovered
    public = make_items(archive, 3)
    hidden = make_items(archive, 1, access="restricted")
    with archive.change("item set", by="tester") as work:
        items.edit(work, public[0], {"title_en": "The communal house"}, "vi")
    with archive.change("item set", by="tester") as work:
        items.edit(work, public[1], {"access": "restricted"}, "vi")
    with archive.change("item set", by="tester") as work:
        items.edit(work, hidden[0], {"title_en": "Still hidden"}, "vi")
    found = [(a["type"], a["object"]["id"]) for a in activities(app)]
    assert found == [
        ("Create", manifest(public[0])),
        ("Create", manifest(public[1])),
        ("Create", manifest(public[2])),
        ("Update", manifest(public[0])),
        ("Delete", manifest(public[1])),
    ]
    with archive.change("item set", by="tester") as work:
        items.edit(work, public[1], {"access": "public"}, "vi")
    assert activities(app)[-1] == {
        "type": "Create",
        "object": {"id": manifest(public[1]), "type": "Manifest"},
        "endTime": activities(app)[-1]["endTime"],
    }
    assert hidden[0] not in json.dumps(activities(app))


def test_exhibitions_published_changed_and_taken_down_are_activities(discovered, home):
    archive, app = discovered
    [item] = make_items(archive, 1)
    path = home / "exhibitions" / "ngay-hoi.yaml"
    path.write_text(EXHIBITION.format(item=item), encoding="utf-8")
    publish.log_published(archive)  # a draft: not public
    assert "ngay-hoi" not in json.dumps(activities(app))
    # Published (its items have no images to build from here, so the row is written as
    # `exhibition publish` writes it).
    with archive.change("exhibition publish", by="tester") as work:
        work.session.add(
            PublishedExhibition(
                slug="ngay-hoi", state=publish.PUBLISHED, definition=path.read_text("utf-8"),
                digest="-", file=path.name, published_by="tester",
            )
        )  # fmt: skip
    publish.log_published(archive)
    publish.log_published(archive)  # nothing changed: nothing new
    exhibition = f"{BASE}/iiif/exhibitions/ngay-hoi/manifest.json"
    assert [(a["type"], a["object"]["id"]) for a in activities(app)][1:] == [("Create", exhibition)]
    lifecycle.set_state(archive, "ngay-hoi", publish.ARCHIVED, "tester")
    assert (activities(app)[-1]["type"], activities(app)[-1]["object"]["id"]) == (
        "Delete",
        exhibition,
    )


def test_an_archive_with_no_public_change_has_one_empty_page(discovered):
    _, app = discovered
    assert activities(app) == []
    assert app.test_client().get("/iiif/discovery/page-1.json").status_code == 404


def test_exhibition_publish_tells_harvesters_of_the_exhibition(run, home, tmp_path):
    make_image(tmp_path / "in" / "a.jpg")
    result, report = run.ingest(tmp_path / "in")
    assert result.exit_code == 0, result.output
    item = report["inputs"][0]["item"]
    path = home / "exhibitions" / "ngay-hoi.yaml"
    path.write_text(EXHIBITION.format(item=item), encoding="utf-8")
    result = run("exhibition", "publish", path)
    assert result.exit_code == 0, result.output
    app = create_app(home)
    try:
        found = [(a["type"], a["object"]["id"]) for a in activities(app)]
    finally:
        app.extensions["search"].close()
        app.extensions["archive"].close()
    assert found[-1] == ("Create", f"{BASE}/iiif/exhibitions/ngay-hoi/manifest.json")
