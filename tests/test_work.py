"""The unit of work: every change to the archive goes through one, from the CLI or from plain
Python, and brings the same consequences (tags, the search index, the catalogue, the audit)."""

from __future__ import annotations

import json

import pytest

from archive import audit, items, tags, texts
from archive.errors import InvalidInput
from archive.home import Archive
from search_index import follow
from search_index.service import SearchIndex
from tests import databases
from tests.conftest import make_image, text_pdf


@pytest.fixture
def photo(run, tmp_path) -> str:
    make_image(tmp_path / "in" / "anh.jpg", size=(120, 80))
    (tmp_path / "in" / "metadata.csv").write_text(
        "file,title,access\nanh.jpg,Nhà rông làng Kon Klor,public\n", encoding="utf-8"
    )
    result, report = run.ingest(tmp_path / "in")
    assert result.exit_code == 0, result.output
    return report["inputs"][0]["item"]


def count_of_changes(archive: Archive) -> int:
    return databases.query(archive.home, "SELECT count FROM changes")[0][0]


def test_an_edit_from_plain_python_is_found_shown_and_audited(home, photo):
    from catalogue.app import create_app

    archive = Archive.open(home)
    app = create_app(home)
    client = app.test_client()
    assert "Kon Klor" in client.get(f"/items/{photo}").get_data(as_text=True)
    with SearchIndex.open(home / "index") as index:
        archive.subscribers.append(follow.Follower(archive, index))
        with archive.change("item set", by="lan") as work:
            items.edit(work, photo, {"title": "Trường học ở Đắk Glei"}, "vi")
        assert [hit.id for hit in index.search("truong hoc dak glei").hits] == [photo]
    page = client.get(f"/items/{photo}").get_data(as_text=True)
    assert "Trường học ở Đắk Glei" in page and "Kon Klor" not in page
    with archive.session() as session:
        found = audit.entries(session, target=photo, action="item set")
    [entry] = [e for e in found if e.field == "title_vi"]
    assert entry.by == "lan"
    assert (entry.before, entry.after) == ("Nhà rông làng Kon Klor", "Trường học ở Đắk Glei")
    app.extensions["search"].close()
    app.extensions["archive"].close()
    archive.close()


def test_a_unit_of_work_that_fails_changes_nothing_and_tells_no_one(archive, photo):
    told = []
    archive.subscribers.append(told.append)
    before = count_of_changes(archive)
    with pytest.raises(InvalidInput), archive.change("item set", by="lan") as work:
        items.edit(work, photo, {"title": "Một tên khác"}, "vi")
        items.edit(work, photo, {"access": "secret"}, "vi")
    with archive.session() as session:
        assert items.find(session, photo).title == {"vi": "Nhà rông làng Kon Klor"}
        assert audit.entries(session, target=photo, action="item set") == []
    assert count_of_changes(archive) == before
    assert told == []


def test_a_change_to_what_tagging_reads_tags_the_item_again_and_audits_the_tags(archive, photo):
    with archive.change("item set", by="lan") as work:
        items.edit(work, photo, {"subject": "Quyền trẻ em"}, "vi")
    assert "convention:CRC" in work.committed.retagged[photo][0]
    assert photo in work.committed.items
    with archive.session() as session:
        assert "convention:CRC" in tags.labels(items.find(session, photo))
        fields = {e.field: e for e in audit.entries(session, target=photo, action="item set")}
    assert fields["subject"].after == ["Quyền trẻ em"]
    assert "convention:CRC" in fields["tags"].after
    assert "convention:CRC" not in fields["tags"].before


def test_every_committed_change_raises_the_count_the_catalogue_keys_its_pages_by(archive, photo):
    before = count_of_changes(archive)
    with archive.change("item tag", by="lan") as work:
        tags.person_tag(work, photo, ["CRC"], [])
    assert count_of_changes(archive) == before + 1
    with archive.change("nothing", by="lan"):
        pass  # a unit that changed nothing raises nothing
    assert count_of_changes(archive) == before + 1


def test_a_transcription_is_audited_by_its_versions(archive, run, tmp_path):
    text_pdf(tmp_path / "doc" / "ke-hoach.pdf", ["Ke hoach tuyen truyen"])
    _, report = run.ingest(tmp_path / "doc")
    accession_id = report["inputs"][0]["item"]
    with archive.change("item text", by="hoa") as work:
        texts.transcribe(work, accession_id, 1, "Kế hoạch tuyên truyền")
    with archive.session() as session:
        [entry] = audit.entries(session, target=accession_id, action="item text")
    assert entry.field == "text p.1"
    assert entry.before["version"] == 1 and entry.before["source"] != "person"
    assert entry.after == {"version": 2, "source": "person"}


def test_a_run_that_finds_every_file_done_raises_no_count(archive, run, tmp_path, photo):
    """The ingest journal is not what the catalogue shows: a second run changes no page."""
    before = count_of_changes(archive)
    _, report = run.ingest(tmp_path / "in")
    assert {entry["outcome"] for entry in report["inputs"]} == {"unchanged"}
    assert count_of_changes(archive) == before


def test_archive_audit_names_who_changed_what_and_filters(run, photo):
    assert run("--by", "lan", "item", "set", photo, "creator=Nguyễn Văn A").exit_code == 0
    assert run("--by", "hoa", "item", "tag", photo, "+CRC").exit_code == 0
    result = run("audit", "--item", photo, "--user", "lan")
    assert result.exit_code == 0, result.output
    assert f'lan  item set  {photo}  creator: (none) → "Nguyễn Văn A"' in result.output
    assert "hoa" not in result.output
    entries = json.loads(run("audit", "--item", photo, "--json").output)
    assert [(e["by"], e["action"], e["field"]) for e in entries[:2]] == [
        ("hoa", "item tag", "tags"),
        ("lan", "item set", "creator"),
    ]
    assert entries[-1]["field"] == "created" and entries[-1]["action"] == "ingest"
    assert run("audit", "--since", "2000-01-01", "--action", "nothing").output == ""
