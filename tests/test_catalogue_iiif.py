"""The catalogue's IIIF routes, as a IIIF viewer uses them: manifests, images, Content Search,
exhibitions and Collections; restricted items answer 404 everywhere."""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
from io import BytesIO
from urllib.parse import urljoin, urlsplit

import pytest
from PIL import Image

from demo.samples import make_photo
from iiif import conformance
from tests.conftest import first_line, tile_paths

BASE = "http://localhost:8000"


@pytest.fixture
def ids(catalogue_home) -> dict:
    return catalogue_home["ids"]


def test_an_item_manifest_is_valid_and_open_to_other_sites(client, ids):
    response = client.get(f"/iiif/items/{ids['anh-0.jpg']}/manifest.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    manifest = response.get_json()
    assert conformance.problems(manifest) == []
    assert manifest["label"]["vi"] == ["Nhà rông làng Kon Klor"]
    service = manifest["items"][0]["items"][0]["items"][0]["body"]["service"][0]
    assert service["id"] == f"{BASE}/iiif/images/{ids['anh-0.jpg']}/1"


def test_a_manifest_answers_304_to_its_etag(client, ids):
    url = f"/iiif/items/{ids['anh-1.jpg']}/manifest.json"
    first = client.get(url)
    assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_info_json_names_the_address_it_is_served_at_and_every_tile_is_there(client, ids):
    accession = ids["anh-0.jpg"]
    info = client.get(f"/iiif/images/{accession}/1/info.json").get_json()
    assert info["id"] == f"{BASE}/iiif/images/{accession}/1"
    assert info["profile"] == "level0" and info["type"] == "ImageService3"
    for path in tile_paths(info):
        with client.get(f"/iiif/images/{accession}/1/{path}") as response:
            assert response.status_code == 200, path
            assert response.mimetype == "image/jpeg"
    for size in info["sizes"]:
        url = f"/iiif/images/{accession}/1/full/{size['width']},{size['height']}/0/default.jpg"
        with client.get(url) as response:
            assert response.status_code == 200
    with client.get(f"/iiif/images/{accession}/1/full/max/0/default.jpg") as response:
        assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "full/max/0/default.png",
        "../../../../archive.toml",
        "full/max/0/../../../info.json/default.jpg",
        "full/9999,9999/0/default.jpg",
    ],
)
def test_an_image_that_was_not_made_is_404(client, ids, path):
    assert client.get(f"/iiif/images/{ids['anh-0.jpg']}/1/{path}").status_code == 404


def test_content_search_finds_words_without_diacritics_with_their_boxes(client, ids):
    accession = ids["ke-hoach.pdf"]
    manifest = client.get(f"/iiif/items/{accession}/manifest.json").get_json(force=True)
    services = {s.get("type") or s.get("@type") for s in manifest["service"]}
    assert {"SearchService2", "SearchService1"} <= services
    answer = client.get(f"/iiif/search/{accession}?q=quyen%20tre%20em").get_json()
    assert answer["type"] == "AnnotationPage" and answer["items"]
    target = answer["items"][0]["target"]
    assert target.startswith(f"{BASE}/iiif/items/{accession}/canvas/1#xywh=")
    old = client.get(f"/iiif/search/{accession}/v1?q=tuyen%20truyen").get_json()
    assert old["resources"] and old["within"]["total"] >= 1
    terms = client.get(f"/iiif/search/{accession}/autocomplete?q=tuy").get_json()
    assert any(term["value"].lower().startswith("tuy") for term in terms["items"])


def test_exhibition_manifests_and_collections_are_valid(client, catalogue_home):
    top = client.get("/iiif/collections/archive.json").get_json(force=True)
    exhibitions = client.get("/iiif/collections/exhibitions.json").get_json(force=True)
    assert conformance.problems(top) == [] and conformance.problems(exhibitions) == []
    assert [m["id"] for m in top["items"]] == [
        exhibitions["id"],
        f"{BASE}/iiif/collections/items.json",
    ]
    assert len(exhibitions["items"]) == 2
    for member in exhibitions["items"]:
        path = member["id"].removeprefix(BASE)
        manifest = client.get(path).get_json(force=True)
        assert conformance.problems(manifest) == [], path
    assert client.get("/iiif/collections/nothing.json").status_code == 404
    assert client.get("/iiif/exhibitions/nothing/manifest.json").status_code == 404


def test_restricted_items_are_404_on_every_iiif_route(client, ids):
    for name in ("mat.jpg", "mat.pdf"):
        accession = ids[name]
        for path in (
            f"/iiif/items/{accession}/manifest.json",
            f"/iiif/images/{accession}/1/info.json",
            f"/iiif/images/{accession}/1/full/max/0/default.jpg",
            f"/iiif/search/{accession}?q=bimat",
            f"/iiif/search/{accession}/v1?q=bimat",
            f"/iiif/search/{accession}/autocomplete?q=bi",
        ):
            with client.get(path) as response:
                assert response.status_code == 404, path
                assert b"BIMAT" not in response.data


# ---------------------------------------------------------------------------------------------
# base_url: the address every id is built on


def _serve(home, *args: str, env: dict | None = None) -> subprocess.Popen:
    command = [sys.executable, "-m", "archive", "--home", str(home), "serve", "--port", "0"]
    return subprocess.Popen(
        [*command, "--workers", "1", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _stopped(process: subprocess.Popen) -> tuple[str, str]:
    """What the server wrote, once it has ended: asked to stop as Ctrl-C does, and killed if it
    has not within 30 s (these tests are of how it starts, not of how fast it stops)."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


@pytest.mark.slow
def test_serve_refuses_a_public_address_while_base_url_is_the_loopback_default(catalogue_home):
    process = _serve(catalogue_home["home"], "--host", "0.0.0.0")
    with contextlib.suppress(subprocess.TimeoutExpired):  # still serving: fails below
        process.wait(timeout=60)
    out, errors = _stopped(process)
    assert "serving" not in out
    assert process.returncode == 2, errors
    assert "base_url" in errors and "ARCHIVE_BASE_URL" in errors and "archive.toml" in errors
    assert "http://localhost:8000" in errors


@pytest.mark.slow
def test_serve_listens_on_a_public_address_once_base_url_names_one(catalogue_home):
    public = {"ARCHIVE_BASE_URL": "https://archive.example.org"}
    process = _serve(catalogue_home["home"], "--host", "0.0.0.0", env=public)
    try:
        line = first_line(process, timeout=120)
    finally:
        _, errors = _stopped(process)
    assert re.search(r"serving .* at http://0\.0\.0\.0:\d+/", line), errors


def test_requests_for_another_host_than_base_url_are_warned_of_once_per_host(
    catalogue_home, caplog
):
    from catalogue.app import create_app

    app = create_app(catalogue_home["home"])
    try:
        client = app.test_client()
        with caplog.at_level(logging.WARNING):
            for host in ("localhost:8000", "other.example", "other.example", "127.0.0.1:5000"):
                for path in ("/", "/iiif/collections/archive.json"):
                    assert client.get(path, base_url=f"http://{host}").status_code == 200
    finally:
        app.extensions["search"].close()
        app.extensions["archive"].close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings
    assert "other.example" in warnings[0] and "127.0.0.1:5000" in warnings[1]
    assert all("base_url" in w and BASE in w for w in warnings)


# ---------------------------------------------------------------------------------------------
# Other sites' viewers


@pytest.mark.parametrize(
    "path", ["/iiif/items/{id}/manifest.json", "/iiif/images/{id}/1/info.json"]
)
def test_a_preflight_from_another_site_is_answered_for_the_headers_it_asks_to_send(
    client, ids, path
):
    asked = {
        "Origin": "https://viewer.example.org",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "accept, authorization",
    }
    response = client.options(path.format(id=ids["anh-0.jpg"]), headers=asked)
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "HEAD", "OPTIONS"} <= methods
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert {"accept", "authorization"} <= allowed
    assert int(response.headers["Access-Control-Max-Age"]) >= 600
    plain = client.options(path.format(id=ids["anh-0.jpg"]), headers={"Origin": asked["Origin"]})
    allowed = {h.strip().lower() for h in plain.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"accept", "authorization", "content-type"} <= allowed


def test_a_size_asked_by_one_side_is_redirected_to_the_nearest_made_size_at_or_above(client, ids):
    service = f"/iiif/images/{ids['anh-0.jpg']}/1"  # 900 × 600
    info = client.get(f"{service}/info.json").get_json()
    made = sorted((s["width"], s["height"]) for s in info["sizes"])
    for asked, width in (("200,", 200), (",100", None), ("900,", 900)):
        url = f"{service}/full/{asked}/0/default.jpg"
        response = client.get(url)
        assert response.status_code in (302, 303), asked
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        target = urljoin(f"http://localhost{url}", response.headers["Location"])
        if width == 900:
            assert target.endswith(f"{service}/full/max/0/default.jpg")
            continue
        side = 0 if width else 1
        nearest = min(s for s in made if s[side] >= int(asked.strip(",")))
        assert target.endswith(f"{service}/full/{nearest[0]},{nearest[1]}/0/default.jpg")
        with client.get(urlsplit(target).path) as image:
            assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert client.get(f"{service}/full/901,/0/default.jpg").status_code == 404


def test_universal_viewer_s_thumbnail_is_served_by_its_width_alone(client, ids):
    with client.get(f"/iiif/images/{ids['anh-1.jpg']}/1/full/90,/0/default.jpg") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert Image.open(BytesIO(response.data)).size == (90, 60)


def test_images_made_before_the_thumbnail_by_width_are_redirected_to_a_made_size(
    run, home, tmp_path
):
    from catalogue.app import create_app

    make_photo(tmp_path / "in" / "old.jpg", width=900, height=600, seed=3)
    _, report = run.ingest(tmp_path / "in")
    accession = report["inputs"][0]["item"]
    for folder in (home / "derivatives").rglob("info.json"):  # as an earlier version made it
        info = json.loads(folder.read_text())
        info["sizes"] = [s for s in info["sizes"] if s["width"] != 90]
        folder.write_text(json.dumps(info))
        shutil.rmtree(folder.parent / "full" / "90,")
        shutil.rmtree(folder.parent / "full" / "90,60")
    app = create_app(home)
    url = f"/iiif/images/{accession}/1/full/90,/0/default.jpg"
    try:
        response = app.test_client().get(url)
    finally:
        app.extensions["search"].close()
        app.extensions["archive"].close()
    assert response.status_code in (302, 303)
    target = urljoin(url, response.headers["Location"])
    assert target == f"/iiif/images/{accession}/1/full/400,267/0/default.jpg"


def test_content_search_2_answers_the_motivation_asked_for(client, ids):
    url = f"/iiif/search/{ids['ke-hoach.pdf']}?q=quyen%20tre%20em"
    found = client.get(f"{url}&motivation=supplementing").get_json()
    assert found["items"] and {i["motivation"] for i in found["items"]} == {"supplementing"}
    assert "ignored" not in found
    assert client.get(f"{url}&motivation=painting").get_json()["items"] == []
    old = client.get(url.replace("?", "/v1?") + "&motivation=painting").get_json()
    assert old["resources"] and old["within"]["ignored"] == ["motivation"]


PRESENTATION_LD = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
IMAGE_LD = 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'


def test_manifests_and_info_json_are_json_ld_with_their_profile_when_asked_for_it(client, ids):
    accession = ids["anh-0.jpg"]
    for path, profile in (
        (f"/iiif/items/{accession}/manifest.json", PRESENTATION_LD),
        ("/iiif/collections/archive.json", PRESENTATION_LD),
        (f"/iiif/images/{accession}/1/info.json", IMAGE_LD),
    ):
        plain = client.get(path)
        assert plain.headers["Content-Type"] == "application/json", path
        asked = client.get(path, headers={"Accept": profile})
        assert asked.headers["Content-Type"].replace(" ", "") == profile, path
        assert asked.get_json(force=True) == plain.get_json(), path
        assert "accept" in asked.headers["Vary"].lower()
        assert asked.headers["ETag"] != plain.headers["ETag"]


def test_iiif_json_is_sent_compressed_to_clients_that_accept_gzip(client, ids):
    path = f"/iiif/items/{ids['ke-hoach.pdf']}/manifest.json"
    plain = client.get(path)
    assert "Content-Encoding" not in plain.headers
    packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["Vary"].lower()
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert len(packed.data) < len(plain.data)
    assert packed.headers["ETag"] != plain.headers["ETag"]
    again = client.get(
        path, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
    )
    assert again.status_code == 304
    search = client.get(
        f"/iiif/search/{ids['ke-hoach.pdf']}?q=quyen", headers={"Accept-Encoding": "gzip"}
    )
    assert json.loads(gzip.decompress(search.data))["type"] == "AnnotationPage"


def _manifests_below(client, collection_id: str) -> list[str]:
    """Every Manifest a harvester finds by walking down from a Collection."""
    collection = client.get(collection_id.removeprefix(BASE)).get_json()
    assert conformance.problems(collection) == [], collection_id
    found = []
    for member in collection["items"]:
        if member["type"] == "Collection":
            found += _manifests_below(client, member["id"])
        else:
            found.append(member["id"])
    return found


@pytest.mark.parametrize("per_collection", [1000, 3])
def test_the_top_collection_leads_to_every_public_item_and_no_restricted_one(
    client, ids, monkeypatch, per_collection
):
    from iiif import collections

    monkeypatch.setattr(collections, "ITEMS_PER_COLLECTION", per_collection)
    found = _manifests_below(client, f"{BASE}/iiif/collections/archive.json")
    public = ("anh-0.jpg", "anh-1.jpg", "anh-2.jpg", "ke-hoach.pdf")
    items = [m for m in found if "/iiif/items/" in m]
    assert sorted(items) == sorted(f"{BASE}/iiif/items/{ids[n]}/manifest.json" for n in public)
    assert len(found) == len(set(found)) == len(items) + 2  # and the two exhibitions
    for manifest in found:
        assert client.get(manifest.removeprefix(BASE)).status_code == 200
    pages = client.get("/iiif/collections/items.json").get_json()["items"]
    assert len(pages) == -(-len(public) // per_collection)
    assert all(page["type"] == "Collection" and page["label"] for page in pages)
