"""`archive export csv`: the metadata.csv an archivist edits in a spreadsheet. Read back by
ingest unedited it changes nothing; edited, `--update-metadata` applies the edit; a cell a
spreadsheet would run as a formula is written so that none runs, and read back as it was."""

from __future__ import annotations

import csv
import json

import pytest

from archive.fields import neutralised, restored
from tests.conftest import make_image, outcomes

SHEET = (
    "file,title,title_en,description,creator,date,subject,latitude,longitude,language\n"
    'a.jpg,=HYPERLINK("http://x"),Festival,-5 độ C,@nhóm ảnh,1995,lễ hội;cồng chiêng,'
    "14.35,108.0,vie;bdq\n"
    "b.jpg,Nhà rông,,'Nhà rông' ở Kon Tum,+84 260,199X,,-12.5,-45.25,\n"
)


@pytest.fixture
def inbox(run, tmp_path):
    folder = tmp_path / "in"
    make_image(folder / "a.jpg", color=(200, 0, 0))
    make_image(folder / "b.jpg", color=(0, 200, 0))
    make_image(folder / "trang" / "page-1.png", color=(0, 0, 200))
    make_image(folder / "trang" / "page-2.png", color=(0, 90, 200))
    (folder / "metadata.csv").write_text(SHEET + "trang,Hồ sơ,,,,,,,,\n", encoding="utf-8")
    result, report = run.ingest(folder, "--collection", "kon-tum/anh")
    assert result.exit_code == 0, result.output
    return folder, {name: entry["item"] for name, entry in outcomes(report).items()}


def show(run, accession_id: str) -> dict:
    return json.loads(run("item", "show", accession_id, "--json").output)


def rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_an_export_read_back_unedited_changes_nothing(run, inbox):
    folder, ids = inbox
    run("item", "set", ids["b.jpg"], "title_en=The communal house", "place=Kon Tum")
    result = run("export", "csv", "--out", folder / "metadata.csv")
    assert result.exit_code == 0, result.output
    assert "3 items written" in result.output
    written = rows(folder / "metadata.csv")
    assert [row["file"] for row in written] == ["a.jpg", "b.jpg", "trang"]
    assert written[1]["title_en"] == "The communal house" and written[1]["place"] == "Kon Tum"
    result, report = run.ingest(folder)
    assert result.exit_code == 0, result.output
    assert all("differs" not in entry for entry in report["inputs"]), report["inputs"]


def test_no_cell_runs_as_a_formula_and_each_reads_back_as_it_was(run, inbox):
    folder, ids = inbox
    out = folder / "metadata.csv"
    assert run("export", "csv", "--out", out).exit_code == 0
    a, b, _ = rows(out)
    formulas = ("=", "+", "-", "@", "\t", "\r")
    assert not [cell for row in (a, b) for cell in row.values() if cell.startswith(formulas)]
    assert a["title_vi"] == '\'=HYPERLINK("http://x")' and a["creator"] == "'@nhóm ảnh"
    assert a["description_vi"] == "'-5 độ C" and b["latitude"] == "'-12.5"
    assert b["description_vi"] == "''Nhà rông' ở Kon Tum"  # an apostrophe of its own, kept
    record = show(run, ids["a.jpg"])
    assert record["title"] == {"vi": '=HYPERLINK("http://x")', "en": "Festival"}
    assert record["subjects"] == ["lễ hội", "cồng chiêng"]
    assert show(run, ids["b.jpg"])["description"] == {"vi": "'Nhà rông' ở Kon Tum"}


def test_an_edited_export_is_applied_by_update_metadata(run, inbox):
    folder, ids = inbox
    out = folder / "metadata.csv"
    assert run("export", "csv", "--out", out).exit_code == 0
    edited = out.read_text(encoding="utf-8-sig").replace("Festival", "=Gong festival")
    out.write_text(edited, encoding="utf-8-sig")
    result, report = run.ingest(folder, "--update-metadata")
    assert result.exit_code == 0, result.output
    assert outcomes(report)["a.jpg"]["outcome"] == "updated"
    assert show(run, ids["a.jpg"])["title"]["en"] == "=Gong festival"


def test_an_export_of_a_collection_or_a_search_holds_those_items_alone(run, inbox, tmp_path):
    folder, _ = inbox
    other = tmp_path / "other"
    make_image(other / "c.jpg", color=(9, 9, 9))
    assert run.ingest(other, "--collection", "dak-to")[0].exit_code == 0
    out = folder / "part.csv"
    assert run("export", "csv", "--collection", "kon-tum", "--out", out).exit_code == 0
    assert [row["file"] for row in rows(out)] == ["a.jpg", "b.jpg", "trang"]
    assert run("export", "csv", "--query", "nhà rông", "--out", out).exit_code == 0
    assert [row["file"] for row in rows(out)] == ["b.jpg"]
    unknown = run("export", "csv", "--collection", "kon-tun", "--out", out)
    assert unknown.exit_code != 0 and "did you mean 'kon-tum'" in unknown.output


def test_a_row_whose_file_is_outside_the_csv_s_folder_is_named_with_a_warning(run, inbox, tmp_path):
    folder, _ = inbox
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run("export", "csv", "--out", elsewhere / "metadata.csv")
    assert result.exit_code == 1
    assert "is not under" in result.output
    assert rows(elsewhere / "metadata.csv")[0]["file"] == str(folder / "a.jpg")


def test_neutralising_is_undone_exactly():
    for value in ["=1+1", "+84", "-5", "@x", "\tx", "'", "'=x", "''", "plain", "", "a=b"]:
        assert restored(neutralised(value)) == value
    assert restored("'people write this") == "'people write this"
