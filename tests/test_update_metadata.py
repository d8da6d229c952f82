"""A description edited after its file was ingested: a later run reports what differs from the
catalogue, and `archive ingest --update-metadata` applies it, showing each field's old and new
value (`--dry-run`: without writing)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import make_image, outcomes

FIRST = (
    "file,title,access,description\na.jpg,Lễ hội,public,Ảnh chụp năm 1995\nb.jpg,Nhà rông,public,\n"
)
EDITED = (
    "file,title,access,description\na.jpg,Lễ hội cồng chiêng,restricted,\nb.jpg,Nhà rông,public,\n"
)


@pytest.fixture
def inbox(run, tmp_path):
    folder = tmp_path / "in"
    make_image(folder / "a.jpg", color=(200, 0, 0))
    make_image(folder / "b.jpg", color=(0, 200, 0))
    (folder / "metadata.csv").write_text(FIRST, encoding="utf-8")
    result, _ = run.ingest(folder)
    assert result.exit_code == 0, result.output
    (folder / "metadata.csv").write_text(EDITED, encoding="utf-8")
    return folder


def show(run, accession_id: str) -> dict:
    return json.loads(run("item", "show", accession_id, "--json").output)


def test_a_rerun_reports_each_file_whose_row_differs_from_the_catalogue(run, inbox):
    result, report = run.ingest(inbox)
    assert result.exit_code == 1, result.output
    found = outcomes(report)
    assert found["a.jpg"]["outcome"] == "unchanged"
    [warning] = found["a.jpg"]["warnings"]
    assert "differs from the catalogue in title_vi, access" in warning
    assert "--update-metadata" in warning
    assert found["a.jpg"]["differs"] == [
        {"field": "title_vi", "old": "Lễ hội", "new": "Lễ hội cồng chiêng"},
        {"field": "access", "old": "public", "new": "restricted"},
    ]
    assert "warnings" not in found["b.jpg"]  # its row says what the catalogue says
    assert "a.jpg: its description differs" in result.output
    item = show(run, found["a.jpg"]["item"])
    assert (item["title"], item["access"]) == ({"vi": "Lễ hội"}, "public")  # nothing applied


def test_update_metadata_applies_the_rows_and_prints_old_and_new(run, inbox):
    result, report = run.ingest(inbox, "--update-metadata")
    assert result.exit_code == 0, result.output
    entry = outcomes(report)["a.jpg"]
    assert entry["outcome"] == "updated"
    assert f"updated {entry['item']} from" in result.output
    assert '  title_vi: "Lễ hội" → "Lễ hội cồng chiêng"' in result.output
    assert '  access: "public" → "restricted"' in result.output
    assert outcomes(report)["b.jpg"]["outcome"] == "unchanged"
    item = show(run, entry["item"])
    assert (item["title"], item["access"]) == ({"vi": "Lễ hội cồng chiêng"}, "restricted")
    # the search index learnt of it: the public no longer finds the item
    found = json.loads(run("search", "cong chieng", "--public", "--json").output)
    assert found["total"] == 0
    found = json.loads(run("search", "cong chieng", "--json").output)
    assert [h["id"] for h in found["items"]] == [entry["item"]]
    result, report = run.ingest(inbox)  # now they agree
    assert result.exit_code == 0, result.output
    assert {e["outcome"] for e in report["inputs"]} == {"unchanged"}


def test_update_metadata_on_a_dry_run_shows_the_changes_and_writes_nothing(run, inbox):
    result, report = run.ingest(inbox, "--update-metadata", "--dry-run")
    assert result.exit_code == 0, result.output
    entry = outcomes(report)["a.jpg"]
    assert entry["outcome"] == "would-update"
    assert f"would update {entry['item']} from" in result.output
    assert '  access: "public" → "restricted"' in result.output
    assert show(run, entry["item"])["access"] == "public"


def test_an_empty_cell_says_nothing_and_leaves_the_field_as_it_is(run, inbox):
    # the edited row left `description` empty: that is no difference, and nothing is cleared
    _, report = run.ingest(inbox, "--update-metadata")
    entry = outcomes(report)["a.jpg"]
    assert "description_vi" not in {change["field"] for change in entry["changes"]}
    assert show(run, entry["item"])["description"] == {"vi": "Ảnh chụp năm 1995"}


def test_an_edited_item_yaml_is_compared_too(run, tmp_path):
    folder = tmp_path / "in" / "bien-ban"
    make_image(folder / "page-1.png", color=200)
    (folder / "item.yaml").write_text("title: {vi: Biên bản, en: Minutes}\n", encoding="utf-8")
    run.ingest(tmp_path / "in")
    (folder / "item.yaml").write_text("title: {vi: Biên bản, en: The minutes}\n", encoding="utf-8")
    result, report = run.ingest(tmp_path / "in", "--update-metadata")
    assert result.exit_code == 0, result.output
    [entry] = report["inputs"]
    assert entry["changes"] == [{"field": "title_en", "old": "Minutes", "new": "The minutes"}]
    assert show(run, entry["item"])["title"] == {"vi": "Biên bản", "en": "The minutes"}


def test_a_changed_subject_retags_the_item(run, inbox):
    text = (inbox / "metadata.csv").read_text(encoding="utf-8")
    text = (
        text.replace("file,title,", "file,subject,title,")
        .replace("b.jpg,", "b.jpg,Công ước về quyền trẻ em,")
        .replace("a.jpg,", "a.jpg,,")
    )
    (inbox / "metadata.csv").write_text(text, encoding="utf-8")
    _, report = run.ingest(inbox, "--update-metadata")
    entry = outcomes(report)["b.jpg"]
    assert entry["outcome"] == "updated"
    tags = {f"{t['vocabulary']}:{t['term']}" for t in show(run, entry["item"])["tags"]}
    assert "convention:CRC" in tags


def test_copies_of_one_file_described_differently_are_a_conflict_and_nothing_is_applied(run, inbox):
    (inbox / "copy of a.jpg").write_bytes((inbox / "a.jpg").read_bytes())
    (inbox / "metadata.csv").write_text(
        FIRST + "copy of a.jpg,Lễ hội,public,Ảnh chụp năm 1995\n", encoding="utf-8"
    )
    _, report = run.ingest(inbox)
    assert outcomes(report)["copy of a.jpg"]["outcome"] == "duplicate"
    (inbox / "metadata.csv").write_text(
        FIRST.replace("a.jpg,Lễ hội,", "a.jpg,Lễ hội lớn,") + "copy of a.jpg,Lễ hội nhỏ,public,\n",
        encoding="utf-8",
    )
    result, report = run.ingest(inbox, "--update-metadata")
    assert result.exit_code == 1, result.output
    found = outcomes(report)
    for name, other in (("a.jpg", "copy of a.jpg"), ("copy of a.jpg", "a.jpg")):
        assert found[name]["outcome"] == "unchanged"
        [warning] = found[name]["warnings"]
        assert f"the same content as {inbox / other} ({found[name]['item']})" in warning
    assert show(run, found["a.jpg"]["item"])["title"] == {"vi": "Lễ hội"}
