"""Search through the CLI: the index follows every change the CLI commits, restricted items stay
out of public searches, and a rebuild that is killed leaves a working index."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from archive.home import Archive
from archive.items import register
from archive.models import Item
from archive.records import NewItem
from archive.work import UnitOfWork
from search_index.folder import HOLD_BEFORE_SWAP
from tests.conftest import make_image, wait_for

ROWS = [
    ("a.jpg", "Hội thảo quyền con người ở Kon Tum", "2019", "public"),
    ("b.jpg", "Lễ hội cồng chiêng của người Ba Na", "1995", "public"),
    ("c.jpg", "Quyền trẻ em: lớp học tình thương", "2021", "restricted"),
]


@pytest.fixture
def ingested(run, tmp_path) -> dict[str, str]:
    inbox = tmp_path / "in"
    lines = ["file,title,date,access"]
    for n, (name, title, date, access) in enumerate(ROWS):
        make_image(inbox / name, color=(n * 80, 20, 20))
        lines.append(f"{name},{title},{date},{access}")
    (inbox / "metadata.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, report = run.ingest(inbox)
    assert result.exit_code == 0, result.output
    return {e["input"].rsplit("/", 1)[-1]: e["item"] for e in report["inputs"]}


def search(run, *args: str) -> dict:
    result = run("search", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_search_without_diacritics_finds_what_ingest_just_made(run, ingested):
    found = search(run, "quyen con nguoi")
    assert [h["id"] for h in found["items"]] == [ingested["a.jpg"]]
    assert found["items"][0]["title"] == {"vi": "Hội thảo quyền con người ở Kon Tum"}
    text = run("search", "cong chieng").output
    assert ingested["b.jpg"] in text and "1 of 1" in text


def test_public_searches_never_see_restricted_items(run, ingested):
    assert ingested["c.jpg"] in [h["id"] for h in search(run, "quyen")["items"]]
    public = search(run, "quyen", "--public")
    assert ingested["c.jpg"] not in [h["id"] for h in public["items"]]
    assert search(run, "access:restricted", "--public")["total"] == 0


def test_facet_counts_equal_counts_made_from_the_database(run, home, ingested):
    facets = {entry["value"]: entry["count"] for entry in search(run, "")["facets"]["type"]}
    archive = Archive.open(home)
    with archive.session() as session:
        counted = dict(session.execute(select(Item.type, func.count()).group_by(Item.type)).all())
    archive.close()
    assert facets == counted


def test_edits_and_tags_reach_the_index_after_they_are_committed(run, ingested):
    photo = ingested["b.jpg"]
    assert run("item", "set", photo, "title=Nhà rông làng Kon Klor").exit_code == 0
    assert [h["id"] for h in search(run, "nha rong")["items"]] == [photo]
    assert search(run, "cong chieng")["total"] == 0
    assert run("item", "tag", photo, "+CEDAW").exit_code == 0
    assert [h["id"] for h in search(run, "", "--filter", "tag=CEDAW")["items"]] == [photo]


def test_reindex_rebuilds_and_check_finds_what_the_index_misses(run, home, ingested):
    result = run("reindex")
    assert result.exit_code == 0, result.output
    assert "3 items indexed" in result.output
    assert "indexing 3 items on" in result.output and "3 items read" in result.output
    assert run("reindex", "--check").output.strip() == "index and database agree"
    archive = Archive.open(home)
    with archive.session() as session:  # a change made behind the CLI's back
        session.scalar(select(Item).where(Item.accession_id == ingested["a.jpg"])).creator = "X"
    archive.close()
    result = run("reindex", "--check")
    assert result.exit_code == 1
    assert f"stale    {ingested['a.jpg']}" in result.output


def test_a_killed_rebuild_leaves_the_old_index_answering(run, home, tmp_path):
    archive = Archive.open(home)
    with archive.session() as session:
        news = [
            NewItem(content_hash=f"{n:064x}", type="document", files=[], rights="r",
                    title={"vi": f"Văn bản số {n} về quyền con người"}, access="public")
            for n in range(1500)
        ]  # fmt: skip
        register(UnitOfWork(archive, session, "test", "test"), news, "KT")  # rows alone
    archive.close()
    assert run("reindex").exit_code == 0
    command = [sys.executable, "-m", "archive", "--home", str(home), "reindex"]
    written = tmp_path / "new-index-written"  # the rebuild holds there while this file exists
    process = subprocess.Popen(
        command,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, HOLD_BEFORE_SWAP: str(written)},
    )
    wait_for(lambda: written.exists() or process.poll() is not None, "the new index written")
    assert process.poll() is None, "the rebuild ended before its new index was swapped in"
    os.killpg(process.pid, signal.SIGKILL)  # its new index written, the old one still in use
    process.wait()
    assert search(run, "quyen con nguoi")["total"] == 1500
    assert run("reindex", "--check").exit_code == 0
    assert run("reindex").exit_code == 0


def test_an_ingest_stopped_before_indexing_is_healed_by_the_next_run(run, home, ingested, tmp_path):
    import shutil

    from archive.models import IngestRun

    shutil.rmtree(home / "index")  # the index never heard of the items …
    archive = Archive.open(home)
    with archive.session() as session:  # … because the run was killed just after committing
        session.scalars(select(IngestRun)).all()[-1].status = "running"
    archive.close()
    assert search(run, "quyen con nguoi")["total"] == 0
    _, report = run.ingest(tmp_path / "in")
    assert {e["outcome"] for e in report["inputs"]} == {"unchanged"}
    assert [h["id"] for h in search(run, "quyen con nguoi")["items"]] == [ingested["a.jpg"]]
    assert run("reindex", "--check").exit_code == 0


def ids(found: dict) -> list[str]:
    return [hit["id"] for hit in found["items"]]


def test_a_tag_is_found_by_the_name_item_show_prints_in_any_case(run, ingested):
    photo = ingested["b.jpg"]
    result = run("item", "tag", photo, "+sa-thay", "+cedaw")  # a person's tags, in any case
    assert result.exit_code == 0, result.output
    shown = run("item", "show", photo).output
    assert "district:sa-thay (person" in shown and "convention:CEDAW (person" in shown
    for query in (
        "tag:district:sa-thay",
        "tag:District:Sa-Thay",
        "tag:sa-thay",
        "tag:convention:cedaw",
        "tag:Cedaw",
        "le hoi tag:district:sa-thay",
    ):
        assert ids(search(run, query)) == [photo], query
    assert search(run, "tag:theme:sa-thay")["total"] == 0  # not a term of that vocabulary
    assert ids(search(run, "hoi -tag:district:sa-thay")) == [ingested["a.jpg"]]
    assert ids(search(run, "", "--filter", "tag=district:sa-thay")) == [photo]
    assert ids(search(run, "", "--filter", "tag=convention:CEDAW", "--public")) == [photo]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("+cdraw", "no vocabulary has the term 'cdraw'; did you mean 'CEDAW'?"),
        ("+district:sa-thai", "no term 'sa-thai' in vocabulary 'district'; did you mean "
         "'district:sa-thay'?"),
    ],
)  # fmt: skip
def test_an_unknown_tag_is_refused_with_the_nearest_known_one(run, ingested, change, message):
    result = run("item", "tag", ingested["b.jpg"], change)
    assert result.exit_code == 2
    assert message in result.output


def test_items_are_found_by_their_tags_names_in_english(run, ingested):
    # titles in Vietnamese only: "người Ba Na" tags b.jpg ethnic-group:ba-na, named Bahnar in
    # English, and "Quyền trẻ em" tags c.jpg theme:children
    assert ids(search(run, "bahnar")) == [ingested["b.jpg"]]
    assert ids(search(run, "children")) == [ingested["c.jpg"]]
    assert search(run, "children", "--public")["total"] == 0  # c.jpg is restricted
    assert search(run, "rights of the child", "--public")["total"] == 0
    assert run("item", "tag", ingested["a.jpg"], "+CRC").exit_code == 0
    public = ("--public",)
    assert ids(search(run, "rights of the child", *public)) == [ingested["a.jpg"]]
    assert run("reindex").exit_code == 0
    assert ids(search(run, "rights of the child", *public)) == [ingested["a.jpg"]]
    assert ids(search(run, "UNCRC", *public)) == [ingested["a.jpg"]]  # an alternative label


def test_the_json_of_a_search_is_the_apis_answer_to_the_same_search(run, home, ingested):
    from catalogue.app import create_app
    from tests.test_catalogue_api import schema_errors

    assert run("item", "set", ingested["b.jpg"], "language=vie;bdq").exit_code == 0
    printed = search(run, "le hoi", "--public")
    assert schema_errors(printed, "/components/schemas/SearchResults") == []
    app = create_app(home)
    try:
        answer = app.test_client().get("/api/search?q=le+hoi").get_json()
    finally:
        app.extensions["search"].close()
        app.extensions["archive"].close()
    assert [item["id"] for item in printed["items"]] == [ingested["b.jpg"]]
    # the same document, but that the command names languages in both Vietnamese and English
    assert printed["facets"]["language"] == [
        {"value": "bdq", "count": 1, "label": {"vi": "Tiếng Ba Na", "en": "Bahnar"}},
        {"value": "vie", "count": 1, "label": {"vi": "Tiếng Việt", "en": "Vietnamese"}},
    ]
    for entry in printed["facets"]["language"]:
        del entry["label"]["en"]
    assert printed == answer
    restricted = search(run, "quyen tre em")["items"]  # an archivist's search: restricted too
    assert [item["id"] for item in restricted] == [ingested["c.jpg"]]
    assert schema_errors(restricted[0], "/components/schemas/Hit") == []
