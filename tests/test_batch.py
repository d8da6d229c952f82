"""Batch edits: items chosen from a search or a collection; a field set, a tag added or
removed, the access set, a move; the preview lists every change and changes nothing; applying
is one unit of work (one audit unit), seen in search at once; undo puts every item back as one,
and leaves an item changed since as it is; a stale preview, an unknown collection, a bad value
and a role without the right are refused."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from archive import audit, batch
from archive.models import AuditUnit
from catalogue.app import create_app
from tests.conftest import Cli, make_image
from tests.test_staff import _add_people, client_as, token

PEOPLE = {"an": "admin", "binh": "archivist", "chi": "curator", "dung": "viewer"}
COUNT = 12


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("batch")
    home = root / "home"
    run = Cli(CliRunner(), home, root)
    assert run("init").exit_code == 0
    folder = root / "in"
    for n in range(COUNT):
        make_image(folder / f"anh-{n:02}.jpg", size=(40, 30), color=(20 * n, 60, 90))
    rows = "".join(f"anh-{n:02}.jpg,Chợ phiên số {n}\n" for n in range(COUNT))
    (folder / "metadata.csv").write_text("file,title\n" + rows, encoding="utf-8")
    result, report = run.ingest(folder, "--collection", "kon-tum/cho")
    assert report is not None, result.output
    ids = sorted(entry["item"] for entry in report["inputs"] if entry.get("item"))
    assert run("collection", "create", "dak-to").exit_code == 0
    app = create_app(home)
    app.testing = True
    _add_people(app.extensions["archive"], PEOPLE)
    yield {"home": home, "run": run, "app": app, "ids": ids, "archive": app.extensions["archive"]}
    app.extensions["catalogue.kept"].close()
    app.extensions["search"].close()
    app.extensions["archive"].close()


def _found(client, query: str) -> set[str]:
    answer = client.get("/api/search", query_string={"q": query, "per_page": 100})
    return {hit["id"] for hit in answer.get_json()["items"]}


def _units(archive) -> int:
    with archive.session() as session:
        return session.scalar(select(func.count(AuditUnit.id)))


def _chosen(client, **args) -> list[str]:
    html = client.get("/staff/batch", query_string=args).get_data(as_text=True)
    return re.findall(r'<input type="checkbox" name="id" value="([^"]+)"', html)


def test_items_are_chosen_from_a_search_or_a_collection(many):
    client = client_as(many["app"], "binh")
    assert sorted(_chosen(client, q="chợ phiên")) == many["ids"]
    assert sorted(_chosen(client, **{"in": "kon-tum"})) == many["ids"]
    assert _chosen(client, q="số 3") == [many["ids"][3]]
    lost = client.get("/staff/batch", query_string={"in": "kon-tu"})
    assert lost.status_code == 400 and "did you mean" in lost.get_data(as_text=True)


def _post(client, path, ids, **form):
    return client.post(path, data={"csrf_token": token(client), "id": ids, **form})


def test_a_preview_lists_every_change_and_changes_nothing(many):
    archive, client, ids = many["archive"], client_as(many["app"], "binh"), many["ids"][:5]
    before = _units(archive)
    answer = _post(
        client, "/staff/batch/preview", ids, operation="set", field="creator", value="Sở VH"
    )
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert len(re.findall(r"<td>creator</td>", html)) == 5
    assert "5 thay đổi ở 5 trong 5 tài liệu đã chọn" in html
    assert _units(archive) == before
    shown = json.loads(many["run"]("item", "show", ids[0], "--json").output)
    assert shown["creator"] is None


def test_a_batch_is_applied_as_one_unit_seen_in_search_and_undone_as_one(many):
    archive, client, ids = many["archive"], client_as(many["app"], "binh"), many["ids"]
    public = many["app"].test_client()
    form = {"operation": "set", "field": "title_en", "value": "Market day"}
    preview = _post(client, "/staff/batch/preview", ids, **form).get_data(as_text=True)
    digest = re.search(r'name="digest" value="([^"]+)"', preview).group(1)
    before = _units(archive)
    applied = _post(client, "/staff/batch/apply", ids, digest=digest, **form)
    assert applied.status_code == 303
    assert _units(archive) == before + 1  # one unit of work for every item
    assert _found(public, "market day") == set(ids)
    unit = int(applied.headers["Location"].rsplit("/", 1)[-1])
    with archive.session() as session:
        entries = audit.entries(session, action="batch edit")
    assert {e.target for e in entries if e.unit == unit and e.field == "title_en"} == set(ids)
    page = client.get(f"/staff/batch/{unit}").get_data(as_text=True)
    assert page.count("Market day") == COUNT
    # one item changed again since: undo leaves its later change
    assert many["run"]("item", "set", ids[0], "title_en=Later").exit_code == 0
    undone = client.post(f"/staff/batch/{unit}/undo", data={"csrf_token": token(client)})
    assert undone.status_code == 303
    assert _found(public, "market day") == set()
    assert _found(public, "later") == {ids[0]}
    for accession_id in ids[1:3]:
        shown = json.loads(many["run"]("item", "show", accession_id, "--json").output)
        assert "en" not in shown["title"]
    again = client.post(f"/staff/batch/{unit}/undo", data={"csrf_token": token(client)})
    assert again.status_code == 303
    assert "đã được hoàn tác" in client.get(f"/staff/batch/{unit}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "check"),
    [
        ({"operation": "tag-add", "value": "CRC"}, lambda s: "convention:CRC:person" in _tags(s)),
        ({"operation": "access", "value": "restricted"}, lambda s: s["access"] == "restricted"),
        ({"operation": "move", "value": "dak-to"}, lambda s: s["collection"] == "dak-to"),
    ],
)
def test_tags_access_and_collection_are_changed_and_undone(many, form, check):
    client, ids = client_as(many["app"], "binh"), many["ids"][6:9]
    originals = [_show(many, i) for i in ids]
    preview = _post(client, "/staff/batch/preview", ids, **form).get_data(as_text=True)
    digest = re.search(r'name="digest" value="([^"]+)"', preview).group(1)
    applied = _post(client, "/staff/batch/apply", ids, digest=digest, **form)
    assert applied.status_code == 303, applied.get_data(as_text=True)
    assert all(check(_show(many, i)) for i in ids)
    unit = applied.headers["Location"].rsplit("/", 1)[-1]
    client.post(f"/staff/batch/{unit}/undo", data={"csrf_token": token(client)})
    for accession_id, original in zip(ids, originals, strict=True):
        now = _show(many, accession_id)
        assert (_tags(now), now["access"], now["collection"]) == (
            _tags(original),
            original["access"],
            original["collection"],
        )


def _show(many, accession_id: str) -> dict:
    return json.loads(many["run"]("item", "show", accession_id, "--json").output)


def _tags(shown: dict) -> list[str]:
    return sorted(f"{t['vocabulary']}:{t['term']}:{t['source']}" for t in shown["tags"])


def test_removing_a_tag_and_undoing_puts_the_same_tag_back(many):
    archive, ids = many["archive"], many["ids"][9:11]
    assert many["run"]("item", "tag", ids[0], "+CRC").exit_code == 0
    with archive.change(batch.ACTION, by="binh") as work:
        changes = batch.apply(work, ids, batch.Operation("tag-remove", "CRC"))
    assert [c[0] for c in changes] == ids
    assert all("convention:CRC" not in str(_tags(_show(many, i))) for i in ids)
    with archive.sessions() as session:
        unit = session.scalar(select(func.max(AuditUnit.id)))
    with archive.change(batch.UNDO, by="binh") as work:
        batch.undo(work, unit)
    assert "convention:CRC:person" in _tags(_show(many, ids[0]))
    assert "convention:CRC" not in str(_tags(_show(many, ids[1])))


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"operation": "move", "value": "nowhere"}, "no collection &#39;nowhere&#39;"),
        ({"operation": "set", "field": "date", "value": "mùa xuân"}, "is not an EDTF date"),
        ({"operation": "set", "field": "titel", "value": "x"}, "did you mean"),
        ({"operation": "tag-add", "value": "no-such-tag"}, "no-such-tag"),
        ({"operation": "rename", "value": "x"}, "operation &#39;rename&#39;"),
    ],
)
def test_bad_input_is_refused_beside_the_operation_and_changes_nothing(many, form, message):
    archive, client = many["archive"], client_as(many["app"], "binh")
    before = _units(archive)
    answer = _post(client, "/staff/batch/preview", many["ids"][:3], **form)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert 'id="operation-error"' in html and message in html, html[-3000:]
    applied = _post(client, "/staff/batch/apply", many["ids"][:3], digest="x", **form)
    assert applied.status_code in (400, 409)
    assert _units(archive) == before


def test_a_stale_preview_is_shown_again_and_nothing_applied(many):
    archive, client, ids = many["archive"], client_as(many["app"], "binh"), many["ids"][:2]
    form = {"operation": "set", "field": "place", "value": "Đắk Tô"}
    preview = _post(client, "/staff/batch/preview", ids, **form).get_data(as_text=True)
    digest = re.search(r'name="digest" value="([^"]+)"', preview).group(1)
    assert many["run"]("item", "set", ids[0], "place=Đắk Tô").exit_code == 0
    before = _units(archive)
    stale = _post(client, "/staff/batch/apply", ids, digest=digest, **form)
    assert stale.status_code == 409
    assert 'id="batch-stale"' in stale.get_data(as_text=True)
    assert _units(archive) == before
    assert _show(many, ids[1])["place"] is None


def test_roles_without_the_right_cannot_preview_apply_or_undo(many):
    for name in ("chi", "dung"):
        client = client_as(many["app"], name)
        assert client.get("/staff/batch?q=chợ").status_code == 200
        for path in ("/staff/batch/preview", "/staff/batch/apply"):
            answer = _post(client, path, many["ids"][:1], operation="set", field="creator")
            assert answer.status_code == 403
    assert client_as(many["app"], "binh").get("/staff/batch/999999").status_code == 404
