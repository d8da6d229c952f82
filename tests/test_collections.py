"""The collections: described, renamed and moved from the CLI and the workspace, each change
audited and its items found under the new path at once; the public catalogue names them by
title; bad input (an unknown collection, a move making a cycle, a stale form) is refused with
its reason and changes nothing."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from archive import audit
from catalogue.app import create_app
from tests.conftest import Cli, make_image
from tests.test_staff import _add_people, client_as, token

PEOPLE = {"an": "admin", "binh": "archivist", "chi": "curator", "dung": "viewer"}


@pytest.fixture(scope="module")
def holdings(tmp_path_factory) -> dict:
    """Two public photos in kon-tum/anh, one in kon-tum/anh/le-hoi, a fonds of its own."""
    root = tmp_path_factory.mktemp("collections")
    home = root / "home"
    run = Cli(CliRunner(), home, root)
    assert run("init").exit_code == 0
    ids = {}
    for n, slug in enumerate(["kon-tum/anh", "kon-tum/anh", "kon-tum/anh/le-hoi", "dak-to"]):
        folder = root / f"in-{n}"
        make_image(folder / f"anh-{n}.jpg", size=(60, 40), color=(30 * n, 80, 120))
        (folder / "metadata.csv").write_text(
            f"file,title\nanh-{n}.jpg,Ảnh số {n}\n", encoding="utf-8"
        )
        result, report = run.ingest(folder, "--collection", slug)
        assert report is not None, result.output
        ids[n] = report["inputs"][0]["item"]
    app = create_app(home)
    app.testing = True
    _add_people(app.extensions["archive"], PEOPLE)
    yield {"home": home, "run": run, "app": app, "ids": ids, "archive": app.extensions["archive"]}
    app.extensions["catalogue.kept"].close()
    app.extensions["search"].close()
    app.extensions["archive"].close()


def _search(client, query: str) -> set[str]:
    answer = client.get("/api/search", query_string={"q": query})
    return {hit["id"] for hit in answer.get_json()["items"]}


def test_the_cli_lists_shows_and_describes_a_collection(holdings):
    run = holdings["run"]
    listed = run("collection", "list", "--json")
    assert listed.exit_code == 0, listed.output
    rows = {row["slug"]: row for row in json.loads(listed.output)["collections"]}
    assert rows["kon-tum"]["items"] == 3 and rows["kon-tum/anh/le-hoi"]["level"] == "file"
    described = run(
        "collection", "set", "dak-to", "title_vi=Ảnh Đắk Tô", "title_en=Photographs of Dak To",
        "scope_vi=Ảnh chợ phiên", "dates=1975/1998", "creator=Sở Văn hóa",
        "extent_units=12", "extent_metres=0,8",
    )  # fmt: skip
    assert described.exit_code == 0, described.output
    assert 'title_en: (none) → "Photographs of Dak To"' in described.output
    shown = json.loads(run("collection", "show", "dak-to", "--json").output)
    assert shown["title"] == {"vi": "Ảnh Đắk Tô", "en": "Photographs of Dak To"}
    assert (shown["extent_units"], shown["extent_metres"], shown["items"]) == (12, 0.8, 1)
    with holdings["archive"].session() as session:
        fields = {
            e.field for e in audit.entries(session, target="dak-to") if e.kind == "collection"
        }
    assert {"title_en", "scope_vi", "dates", "extent_metres"} <= fields


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["set", "dak-too", "creator=x"], "no collection 'dak-too'; did you mean 'dak-to'?"),
        (["set", "dak-to", "dates=năm 1975"], "dates: 'năm 1975' is not an EDTF date"),
        (["set", "dak-to", "extent_units=many"], "extent_units 'many' is not a whole number"),
        (["set", "dak-to", "extent_metres=-1"], "cannot be negative"),
        (["set", "dak-to", "titel_vi=x"], "unknown collection field 'titel_vi'"),
        (["set", "dak-to", "title_vi=", "title_en="], "a collection keeps a title"),
        (["move", "kon-tum", "kon-tum/anh"], "that is itself or below it"),
        (["move", "kon-tum/anh", "dak-to/x"], "no collection 'dak-to/x'"),
        (["move", "kon-tum", "dak-to"], "would be 4 levels deep"),
        (["rename", "kon-tum/anh", "Ảnh"], "lowercase letters, digits and hyphens"),
        (["create", "nowhere/series"], "no collection 'nowhere'"),
        (["create", "dak-to"], "exists already"),
    ],
)
def test_bad_input_is_refused_with_its_reason_and_changes_nothing(holdings, args, message):
    run = holdings["run"]
    before = run("collection", "list", "--json").output
    result = run("collection", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert run("collection", "list", "--json").output == before


def test_moving_a_collection_takes_those_below_and_their_items_found_by_the_new_path(holdings):
    run, ids = holdings["run"], holdings["ids"]
    assert run("collection", "create", "dak-to/le-hoi", "title_vi=Lễ hội").exit_code == 0
    moved = run("collection", "move", "kon-tum/anh/le-hoi", "dak-to/le-hoi")
    assert moved.exit_code == 0, moved.output
    assert "kon-tum/anh/le-hoi → dak-to/le-hoi/le-hoi" in moved.output
    shown = json.loads(run("item", "show", ids[2], "--json").output)
    assert shown["collection"] == "dak-to/le-hoi/le-hoi"
    found = json.loads(run("search", "collection:dak-to/le-hoi", "--json").output)
    assert {hit["id"] for hit in found["items"]} == {ids[2]}
    renamed = run("collection", "rename", "dak-to/le-hoi", "hoi")
    assert renamed.exit_code == 0, renamed.output
    assert json.loads(run("item", "show", ids[2], "--json").output)["collection"] == (
        "dak-to/hoi/le-hoi"
    )
    assert run("collection", "move", "dak-to/hoi/le-hoi", "/").exit_code == 0
    listed = json.loads(run("collection", "list", "--json").output)["collections"]
    assert {row["slug"]: row["level"] for row in listed}["le-hoi"] == "fonds"


def test_the_public_catalogue_names_collections_by_title_never_by_slug(holdings):
    run, app, ids = holdings["run"], holdings["app"], holdings["ids"]
    for slug, vi, en in (
        ("kon-tum", "Phông UBND tỉnh Kon Tum", "Kon Tum People's Committee"),
        ("kon-tum/anh", "Ảnh tư liệu", "Documentary photographs"),
    ):
        assert run("collection", "set", slug, f"title_vi={vi}", f"title_en={en}").exit_code == 0
    client = app.test_client()
    item = client.get(f"/items/{ids[0]}").get_data(as_text=True)
    trail = re.search(r'<nav[^>]*class="breadcrumb".*?</nav>', item, re.S)
    assert trail and "Phông UBND tỉnh Kon Tum" in trail.group(0) and "Ảnh tư liệu" in trail.group(0)
    assert ">kon-tum<" not in item and ">anh<" not in item
    english = client.get(f"/items/{ids[0]}?lang=en").get_data(as_text=True)
    assert "Documentary photographs" in english
    for address in ("/?lang=vi", "/collections", "/collections/kon-tum", "/search?q=so"):
        html = client.get(address).get_data(as_text=True)
        assert "Phông UBND tỉnh Kon Tum" in html, address
        assert re.search(r">\s*kon-tum(/anh)?\s*<", html) is None, address
    described = client.get("/collections/dak-to?lang=vi").get_data(as_text=True)
    assert "Ảnh chợ phiên" in described and "1975 đến năm 1998" in described
    assert "12 đơn vị, 0,8 mét giá" in described
    english = client.get("/collections/dak-to?lang=en").get_data(as_text=True)
    assert "12 units, 0.8 linear metres" in english and "Photographs of Dak To" in english
    manifest = client.get(f"/iiif/items/{ids[0]}/manifest.json").get_json()
    assert "Ảnh tư liệu" in json.dumps(manifest, ensure_ascii=False)


# --- the workspace ------------------------------------------------------------------------------


def _form(client, path: str) -> dict[str, str]:
    html = client.get(path).get_data(as_text=True)
    version = re.search(r'name="version" value="([^"]+)"', html)
    return {"csrf_token": token(client), "version": version.group(1) if version else ""}


def test_an_archivist_describes_renames_and_moves_a_collection_in_the_browser(holdings):
    client = client_as(holdings["app"], "binh")
    page = client.get("/staff/collections").get_data(as_text=True)
    assert "/staff/collections/kon-tum/anh" in page
    made = client.post(
        "/staff/collections",
        data={"csrf_token": token(client), "slug": "so-vh", "title_vi": "Sở Văn hóa"},
    )
    assert made.status_code == 303 and made.headers["Location"] == "/staff/collections/so-vh"
    form = _form(client, "/staff/collections/so-vh")
    fields = {"title_vi": "Sở Văn hóa", "title_en": "Culture", "scope_vi": "Hồ sơ <b>gốc</b>"}
    fields |= {"dates": "1990/2000", "creator": "", "extent_units": "3", "extent_metres": "1.5"}
    saved = client.post("/staff/collections/so-vh/describe", data=form | fields)
    assert saved.status_code == 303
    page = client.get("/staff/collections/so-vh").get_data(as_text=True)
    assert "Hồ sơ &lt;b&gt;gốc&lt;/b&gt;" in page and 'value="1.5"' in page
    renamed = client.post(
        "/staff/collections/so-vh/rename",
        data=_form(client, "/staff/collections/so-vh") | {"name": "van-hoa"},
    )
    assert renamed.headers["Location"] == "/staff/collections/van-hoa"
    moved = client.post(
        "/staff/collections/van-hoa/move",
        data=_form(client, "/staff/collections/van-hoa") | {"parent": "dak-to"},
    )
    assert moved.headers["Location"] == "/staff/collections/dak-to/van-hoa"
    with holdings["archive"].session() as session:
        mine = [e for e in audit.entries(session, by="binh") if e.kind == "collection"]
    assert {e.action for e in mine} >= {"collection create", "collection set"}
    assert {"collection rename", "collection move"} <= {e.action for e in mine}


def test_a_bad_value_is_shown_beside_its_field_and_nothing_is_saved(holdings):
    client = client_as(holdings["app"], "binh")
    form = _form(client, "/staff/collections/dak-to")
    answer = client.post(
        "/staff/collections/dak-to/describe",
        data=form | {"title_vi": "Đắk Tô", "dates": "mùa xuân", "extent_units": "2"},
    )
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert re.search(r'id="dates-error"[^>]*>dates: &#39;mùa xuân&#39; is not an EDTF', html)
    assert 'aria-invalid="true"' in html and 'value="mùa xuân"' in html
    shown = json.loads(holdings["run"]("collection", "show", "dak-to", "--json").output)
    assert shown["extent_units"] != 2


def test_a_move_that_makes_a_cycle_is_refused_beside_its_field(holdings):
    client = client_as(holdings["app"], "binh")
    form = _form(client, "/staff/collections/kon-tum")
    answer = client.post("/staff/collections/kon-tum/move", data=form | {"parent": "kon-tum/anh"})
    assert answer.status_code == 400
    assert 'id="parent-error"' in answer.get_data(as_text=True)


def test_a_stale_form_is_refused_and_the_later_change_kept(holdings):
    client = client_as(holdings["app"], "binh")
    form = _form(client, "/staff/collections/kon-tum")
    assert holdings["run"]("collection", "set", "kon-tum", "creator=Someone else").exit_code == 0
    answer = client.post(
        "/staff/collections/kon-tum/describe", data=form | {"title_vi": "Mine", "creator": "Me"}
    )
    assert answer.status_code == 409
    assert 'id="collection-error"' in answer.get_data(as_text=True)
    shown = json.loads(holdings["run"]("collection", "show", "kon-tum", "--json").output)
    assert shown["creator"] == "Someone else"


def test_an_unknown_collection_is_not_found_and_viewers_only_read(holdings):
    viewer = client_as(holdings["app"], "dung")
    assert viewer.get("/staff/collections/no-such").status_code == 404
    page = viewer.get("/staff/collections/dak-to").get_data(as_text=True)
    assert "<fieldset disabled>" in page and 'action="/staff/collections/dak-to/rename"' not in page
    refused = viewer.post(
        "/staff/collections/dak-to/describe", data=_form(viewer, "/staff/collections/dak-to")
    )
    assert refused.status_code == 403
    archivist = client_as(holdings["app"], "binh")
    lost = archivist.post(
        "/staff/collections/no-such/describe", data={"csrf_token": token(archivist)}
    )
    assert lost.status_code == 404


def test_the_migration_titles_the_collections_ingest_made(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine, text

    from archive import db

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
        connection.execute(
            text(
                "insert into collections (id, slug, level, title) values "
                "(1, 'kon-tum', 'fonds', '{}'), (2, 'kon-tum/anh', 'series', '{}'), "
                "(3, 'dak-to', 'fonds', '{\"en\": \"Dak To\"}')"
            )
        )
    db.upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("select slug, title, scope from collections")).all()
    assert {slug: json.loads(title) for slug, title, _ in rows} == {
        "kon-tum": {"vi": "kon-tum"},
        "kon-tum/anh": {"vi": "anh"},
        "dak-to": {"en": "Dak To"},
    }
    assert {scope for *_, scope in rows} == {"{}"}
