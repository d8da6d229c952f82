"""Withdrawal: a withdrawn item answers 410 Gone at every public address with its title, the
reason and its citation, leaves search, the sitemap and the IIIF Collections, keeps its masters,
and comes back as it was when restored; a purge (the identifier typed again, administrators
only) deletes the record and the masters no other item uses, and the audit keeps what it was."""

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
TITLE = "Nhà rông làng Kon Klor"


@pytest.fixture(scope="module")
def gone(tmp_path_factory) -> dict:
    """Four public photos, a restricted one, and a document whose first page is a copy of the
    photo `shared.png` (one master, two items)."""
    root = tmp_path_factory.mktemp("withdrawal")
    home = root / "home"
    run = Cli(CliRunner(), home, root)
    assert run("init").exit_code == 0
    photos, hidden = root / "photos", root / "hidden"
    for n in range(4):
        make_image(photos / f"anh-{n}.jpg", size=(60, 40), color=(50 * n, 90, 30))
    make_image(photos / "shared.png", size=(50, 70), color=(10, 200, 10))
    folder = photos / "ho-so"
    make_image(folder / "page-2.png", size=(52, 70), color=(200, 10, 10))
    (folder / "page-1.png").write_bytes((photos / "shared.png").read_bytes())
    (folder / "item.yaml").write_text("title: {vi: Hồ sơ}\n", encoding="utf-8")
    rows = "".join(f"anh-{n}.jpg,Ảnh {n}\n" for n in range(1, 4))
    (photos / "metadata.csv").write_text(
        f"file,title,date\nanh-0.jpg,{TITLE},1975\n" + rows.replace("\n", ",\n"),
        encoding="utf-8",
    )
    make_image(hidden / "mat.jpg", size=(60, 40), color=(1, 2, 3))
    ids = {}
    for source, options in ((photos, []), (hidden, ["--access", "restricted"])):
        result, report = run.ingest(source, *options)
        assert report is not None, result.output
        for entry in report["inputs"]:
            if entry.get("item"):
                ids[entry["input"].rsplit("/", 1)[-1]] = entry["item"]
    app = create_app(home)
    app.testing = True
    _add_people(app.extensions["archive"], PEOPLE)
    yield {"home": home, "run": run, "app": app, "ids": ids, "archive": app.extensions["archive"]}
    app.extensions["catalogue.kept"].close()
    app.extensions["search"].close()
    app.extensions["archive"].close()


def _found(client, query: str = "") -> set[str]:
    answer = client.get("/api/search", query_string={"q": query, "per_page": 100})
    return {hit["id"] for hit in answer.get_json()["items"]}


def _in_iiif_collections(client, accession_id: str) -> bool:
    listed = json.dumps(client.get("/iiif/collections/items-1.json").get_json())
    return f"/iiif/items/{accession_id}/manifest.json" in listed


def _in_sitemap(client, accession_id: str) -> bool:
    return f"/items/{accession_id}" in client.get("/sitemap.xml").get_data(as_text=True)


def test_a_withdrawn_item_is_gone_from_every_public_address_with_its_reason(gone):
    run, client, photo = gone["run"], gone["app"].test_client(), gone["ids"]["anh-0.jpg"]
    assert client.get(f"/items/{photo}").status_code == 200
    assert photo in _found(client) and _in_sitemap(client, photo)
    assert _in_iiif_collections(client, photo)
    result = run("item", "withdraw", photo, "--reason", "Người trong ảnh yêu cầu <gỡ>")
    assert result.exit_code == 0, result.output
    page = client.get(f"/items/{photo}")
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert TITLE in html and "Người trong ảnh yêu cầu &lt;gỡ&gt;" in html
    citation = re.search(r'<p class="citation" id="citation">(.*?)</p>', html, re.S).group(1)
    assert photo in citation and TITLE in citation and "năm 1975" in citation
    assert f"http://localhost:8000/items/{photo}" in citation
    for address in (
        f"/iiif/items/{photo}/manifest.json",
        f"/iiif/images/{photo}/1/info.json",
        f"/api/items/{photo}",
    ):
        answer = client.get(address)
        assert answer.status_code == 410, address
        assert answer.get_json()["reason"] == "Người trong ảnh yêu cầu <gỡ>", address
    assert client.get(f"/iiif/images/{photo}/1/full/max/0/default.jpg").status_code == 410
    assert photo not in _found(client) and photo not in _found(client, "Kon Klor")
    assert not _in_sitemap(client, photo) and not _in_iiif_collections(client, photo)
    shown = json.loads(run("item", "show", photo, "--json").output)
    assert shown["withdrawn"]["reason"] == "Người trong ảnh yêu cầu <gỡ>"
    assert shown["masters"] and (gone["home"] / shown["masters"][0]["stored_path"]).exists()
    assert run("verify").exit_code == 0
    restored = run("item", "restore", photo)
    assert restored.exit_code == 0, restored.output
    assert client.get(f"/items/{photo}").status_code == 200
    assert photo in _found(client, "Kon Klor") and _in_sitemap(client, photo)
    with gone["archive"].session() as session:
        entries = [e for e in audit.entries(session, target=photo) if e.field == "withdrawn"]
    assert [(e.action, e.before, e.after) for e in reversed(entries)] == [
        ("item withdraw", None, "Người trong ảnh yêu cầu <gỡ>"),
        ("item restore", "Người trong ảnh yêu cầu <gỡ>", None),
    ]


def test_a_restricted_item_withdrawn_stays_unknown_to_the_public(gone):
    run, hidden = gone["run"], gone["ids"]["mat.jpg"]
    assert run("item", "withdraw", hidden, "--reason", "trùng").exit_code == 0
    assert gone["app"].test_client().get(f"/items/{hidden}").status_code == 404
    assert run("item", "restore", hidden).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["withdraw", "ID", "--reason", "  "], "give the reason"),
        (["withdraw", "ID", "--reason", "x" * 1001], "longer than 1000"),
        (["restore", "ID"], "is not withdrawn"),
        (["withdraw", "KT-1999-999999", "--reason", "x"], "no item KT-1999-999999"),
        (["purge", "ID", "--confirm", "KT-1999-999999"], "type the identifier"),
    ],
)
def test_bad_input_is_refused_with_its_reason(gone, args, message):
    photo = gone["ids"]["anh-1.jpg"]
    result = gone["run"]("item", *[photo if a == "ID" else a for a in args])
    assert result.exit_code != 0 and message in result.output
    assert gone["app"].test_client().get(f"/items/{photo}").status_code == 200


def test_a_purge_deletes_the_record_and_the_masters_no_other_item_uses(gone):
    run, home, ids = gone["run"], gone["home"], gone["ids"]
    photo, document = ids["shared.png"], ids["ho-so"]
    masters = {
        item: [m["stored_path"] for m in json.loads(run("item", "show", item, "--json").output)[
            "masters"
        ]]
        for item in (photo, document)
    }  # fmt: skip
    [shared, own] = masters[document]
    assert masters[photo] == [shared]
    assert run("item", "purge", document, "--confirm", document).exit_code == 0
    assert not (home / own).exists() and (home / shared).exists()
    assert run("item", "show", document).exit_code != 0
    assert run("verify").exit_code == 0
    assert run("reindex", "--check").exit_code == 0
    client = gone["app"].test_client()
    answer = client.get(f"/items/{document}")
    assert answer.status_code == 410 and "Hồ sơ" in answer.get_data(as_text=True)
    with gone["archive"].session() as session:
        [entry] = [e for e in audit.entries(session, target=document) if e.field == "purged"]
    assert entry.before["title"] == {"vi": "Hồ sơ"} and entry.after is None
    assert client.get(f"/items/{photo}").status_code == 200


# --- the workspace ------------------------------------------------------------------------------


def test_an_archivist_withdraws_and_restores_in_the_browser_and_a_viewer_cannot(gone):
    photo = gone["ids"]["anh-2.jpg"]
    viewer = client_as(gone["app"], "dung")
    page = viewer.get(f"/staff/items/{photo}/withdrawal").get_data(as_text=True)
    assert "Không bị rút" in page and 'name="reason"' not in page
    assert (
        viewer.post(
            f"/staff/items/{photo}/withdraw", data={"csrf_token": token(viewer), "reason": "x"}
        ).status_code
        == 403
    )
    archivist = client_as(gone["app"], "binh")
    empty = archivist.post(
        f"/staff/items/{photo}/withdraw", data={"csrf_token": token(archivist), "reason": ""}
    )
    assert empty.status_code == 400 and 'id="reason-error"' in empty.get_data(as_text=True)
    done = archivist.post(
        f"/staff/items/{photo}/withdraw",
        data={"csrf_token": token(archivist), "reason": "Sai bản quyền"},
    )
    assert done.status_code == 303
    assert gone["app"].test_client().get(f"/items/{photo}").status_code == 410
    assert "Sai bản quyền" in archivist.get(f"/staff/items/{photo}/withdrawal").get_data(
        as_text=True
    )
    purge = archivist.post(
        f"/staff/items/{photo}/purge", data={"csrf_token": token(archivist), "confirm": photo}
    )
    assert purge.status_code == 403
    back = archivist.post(f"/staff/items/{photo}/restore", data={"csrf_token": token(archivist)})
    assert back.status_code == 303
    assert gone["app"].test_client().get(f"/items/{photo}").status_code == 200


def test_an_administrator_purges_only_with_the_identifier_typed_again(gone):
    photo = gone["ids"]["anh-3.jpg"]
    admin = client_as(gone["app"], "an")
    wrong = admin.post(
        f"/staff/items/{photo}/purge", data={"csrf_token": token(admin), "confirm": "KT"}
    )
    assert wrong.status_code == 400 and 'id="confirm-error"' in wrong.get_data(as_text=True)
    assert gone["app"].test_client().get(f"/items/{photo}").status_code == 200
    done = admin.post(
        f"/staff/items/{photo}/purge", data={"csrf_token": token(admin), "confirm": photo}
    )
    assert done.status_code == 303
    assert gone["run"]("item", "show", photo).exit_code != 0
    assert admin.get(f"/staff/items/{photo}/withdrawal").status_code == 404
