"""The rest of the CLI: init, status, item show and set, verify, and exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest
from PIL import Image

from archive import settings
from archive.cli import cli
from archive.fields import neutralised
from tests.conftest import copy_sample, make_image, outcomes, text_pdf


@pytest.fixture
def ingested(run, tmp_path):
    copy_sample("photos/exif-samples/Canon_40D.jpg", tmp_path / "in")
    pages = [Image.new("1", (120, 170), 1) for _ in range(3)]  # blank: quick to read
    pages[0].save(tmp_path / "in" / "dossier.tif", save_all=True, append_images=pages[1:])
    copy_sample("robustness/ocrmypdf-pdfs/invalid.pdf", tmp_path / "in")
    _, report = run.ingest(tmp_path / "in")
    return {Path(e["input"]).name: e.get("item") for e in report["inputs"]}


def test_init_makes_the_archive_home_and_is_safe_to_repeat(runner, tmp_path):
    home = tmp_path / "new-home"
    for _ in range(2):
        result = runner.invoke(cli, ["--home", str(home), "init"])
        assert result.exit_code == 0, result.output
    assert {p.name for p in home.iterdir()} >= {
        "archive.toml",
        "archive.db",
        "masters",
        "derivatives",
        "ocr",
        "index",
        "exhibitions",
        "logs",
    }


def test_a_command_on_a_folder_that_is_no_archive_home_says_so(runner, tmp_path):
    result = runner.invoke(cli, ["--home", str(tmp_path / "nothing"), "status"])
    assert result.exit_code == 2
    assert "is not an archive home" in result.output
    assert "Traceback" not in result.output


def test_the_archive_home_comes_from_the_environment(runner, tmp_path):
    home = tmp_path / "from-env"
    result = runner.invoke(cli, ["init"], env={"ARCHIVE_HOME": str(home)})
    assert result.exit_code == 0, result.output
    assert (home / "archive.toml").exists()


def test_a_bad_setting_in_archive_toml_stops_with_exit_code_2(run, home):
    (home / "archive.toml").write_text("workers = -3\n")
    result = run("status")
    assert result.exit_code == 2
    assert "workers must be 0 or more" in result.output


def test_status_counts_items_and_names_what_failed_and_why(run, ingested):
    result = run("status")
    assert result.exit_code == 0, result.output
    assert "items    2 (1 document, 1 photo; 2 public)" in result.output
    assert "pages    4" in result.output
    assert "invalid.pdf: identify: a damaged PDF" in result.output
    data = json.loads(run("status", "--json").output)
    assert data["items"] == 2 and data["runs"][0]["counts"] == {"created": 2, "failed": 1}


def test_item_show_prints_the_record_and_json_has_a_stable_shape(run, ingested):
    accession = ingested["Canon_40D.jpg"]
    result = run("item", "show", accession)
    assert result.exit_code == 0, result.output
    assert f"id: {accession}" in result.output and "Canon EOS 40D" in result.output
    data = json.loads(run("item", "show", accession, "--json").output)
    assert list(data) == [
        "id",
        "type",
        "title",
        "description",
        "date",
        "year_start",
        "year_end",
        "creator",
        "place",
        "latitude",
        "longitude",
        "subjects",
        "rights",
        "rights_note",
        "access",
        "languages",
        "collection",
        "technical",
        "pages",
        "masters",
        "tags",
        "created_at",
        "updated_at",
        "withdrawn",
    ]


def test_item_show_of_an_unknown_id_exits_1(run, ingested):
    result = run("item", "show", "KT-1999-999999")
    assert result.exit_code == 1
    assert "no item KT-1999-999999" in result.output


def test_item_set_changes_fields_with_the_same_checks_as_metadata_csv(run, ingested):
    accession = ingested["Canon_40D.jpg"]
    result = run(
        "item",
        "set",
        accession,
        "title=Lễ mừng lúa mới",
        "title_en=Harvest festival",
        "date=1975/1980",
        "access=restricted",
        "subject=lễ hội;Ba Na",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(run("item", "show", accession, "--json").output)
    assert data["title"] == {"vi": "Lễ mừng lúa mới", "en": "Harvest festival"}
    assert (data["year_start"], data["year_end"], data["access"]) == (1975, 1980, "restricted")
    assert data["subjects"] == ["lễ hội", "Ba Na"]
    assert run("item", "set", accession, "creator=").exit_code == 0
    assert json.loads(run("item", "show", accession, "--json").output)["creator"] is None


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("date=30/04/1975", "is not an EDTF date"),
        ("access=secret", "must be public or restricted"),
        ("colour=red", "unknown field 'colour'"),
        ("latitude=14.3", "latitude and longitude go together"),
        ("latitude=95 longitude=108", "latitude: 95.0 is out of range"),
        ("rights=https://creativecommons.org/licenses/by/4.0/", "http:// form"),
        ("title", "is not FIELD=VALUE"),
    ],
)
def test_item_set_refuses_a_bad_value_and_changes_nothing(run, ingested, assignment, message):
    accession = ingested["Canon_40D.jpg"]
    before = run("item", "show", accession, "--json").output
    result = run("item", "set", accession, "title=Changed", *assignment.split(" "))
    assert result.exit_code == 2
    assert message in result.output
    assert run("item", "show", accession, "--json").output == before


def test_verify_passes_on_intact_masters_and_names_a_changed_or_missing_one(run, home, ingested):
    result = run("verify")
    assert result.exit_code == 0, result.output
    assert "2 of 2 masters intact" in result.output
    masters = sorted(p for p in (home / "masters").rglob("*") if p.is_file())
    changed, missing = masters
    os.chmod(changed, stat.S_IWUSR | stat.S_IRUSR)
    changed.write_bytes(changed.read_bytes() + b"x")
    missing.unlink()
    result = run("verify")
    assert result.exit_code == 1
    assert f"changed  {changed.relative_to(home).as_posix()}" in result.output
    assert f"missing  {missing.relative_to(home).as_posix()}" in result.output
    assert "0 of 2 masters intact" in result.output


def test_a_second_ingest_while_one_runs_is_refused(run, archive, tmp_path):
    make_image(tmp_path / "in" / "a.jpg")
    with archive.writer_lock("ingest"):
        result, _ = run.ingest(tmp_path / "in")
    assert result.exit_code == 2
    assert "another run is writing" in result.output


def test_readme_documents_every_command_and_setting():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name in settings.BY_NAME:
        assert f"`{name}`" in readme, f"setting {name} is missing from README.md"
    commands = [f"archive {name}" for name in cli.commands if name != "item"]
    commands += [f"archive item {name}" for name in cli.commands["item"].commands]
    for command in commands:
        assert command in readme, f"{command} is missing from README.md"


def show(run, accession_id: str) -> dict:
    return json.loads(run("item", "show", accession_id, "--json").output)


def test_item_set_prints_each_field_it_changed_as_old_and_new(run, ingested):
    accession = ingested["Canon_40D.jpg"]
    run("item", "set", accession, "title=Lễ hội", "creator=Nguyễn Văn A")
    result = run("item", "set", accession, "title=Lễ mừng lúa mới", "creator=Nguyễn Văn A")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{accession}: updated",
        '  title_vi: "Lễ hội" → "Lễ mừng lúa mới"',  # the creator was that already
    ]
    result = run("item", "set", accession, "creator=")
    assert '  creator: "Nguyễn Văn A" → (none)' in result.output


def test_an_empty_value_clears_a_language_of_a_title_or_description(run, ingested):
    accession = ingested["Canon_40D.jpg"]
    run("item", "set", accession, "title=Lễ hội", "title_sed=Kơ", "title_en=Festival")
    run("item", "set", accession, "description=Ảnh", "description_en=A photo")
    result = run("item", "set", accession, "description_en=", "title_sed=")
    assert result.exit_code == 0, result.output
    assert '  description_en: "A photo" → (none)' in result.output
    assert '  title_sed: "Kơ" → (none)' in result.output
    data = show(run, accession)
    assert data["title"] == {"vi": "Lễ hội", "en": "Festival"}
    assert data["description"] == {"vi": "Ảnh"}
    assert run("item", "set", accession, "title=").exit_code == 0  # the default language's
    assert show(run, accession)["title"] == {"en": "Festival"}


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("titel=x", "unknown field 'titel'; did you mean 'title'?"),
        ("Access=public", "did you mean 'access'?"),
        ("title_en_US=Plan", "'en_US' is not a language code"),
        ("access=", "access cannot be cleared"),
        ("title_vi=", "an item keeps a title"),
        ("collection=Bad Slug", "lowercase letters"),
    ],
)
def test_item_set_refuses_a_mistake_with_a_suggestion_and_changes_nothing(
    run, ingested, assignment, message
):
    accession = ingested["Canon_40D.jpg"]
    before = show(run, accession)
    result = run("item", "set", accession, "creator=Changed", assignment)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert show(run, accession) == before


def test_item_set_moves_an_item_between_collections(run, ingested):
    accession = ingested["Canon_40D.jpg"]
    result = run("item", "set", accession, "collection=ubnd-tinh/anh")
    assert result.exit_code == 0, result.output
    assert '  collection: (none) → "ubnd-tinh/anh"' in result.output
    result = run("item", "set", accession, "collection=ubnd-tinh/van-ban")
    assert '  collection: "ubnd-tinh/anh" → "ubnd-tinh/van-ban"' in result.output
    assert show(run, accession)["collection"] == "ubnd-tinh/van-ban"
    assert run("item", "set", accession, "collection=").exit_code == 0
    assert show(run, accession)["collection"] is None


def test_item_set_tags_the_item_again_at_once(run, ingested):
    accession = ingested["Canon_40D.jpg"]
    result = run("item", "set", accession, "subject=Công ước về quyền trẻ em")
    assert result.exit_code == 0, result.output
    assert "+convention:CRC" in result.output
    tags = {f"{t['vocabulary']}:{t['term']}" for t in show(run, accession)["tags"]}
    assert "convention:CRC" in tags
    result = run("item", "set", accession, "subject=")
    assert "-convention:CRC" in result.output
    assert "convention" not in {t["vocabulary"] for t in show(run, accession)["tags"]}


TRANSCRIPTION = "Biên bản họp ngày 5 tháng 5 năm 1976 về quyền trẻ em.\n" * 12


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16"], ids=["utf-8", "utf-8-bom", "utf-16-bom"]
)
def test_item_text_reads_utf8_and_utf16_with_a_bom(run, ingested, tmp_path, encoding):
    dossier = ingested["dossier.tif"]
    path = tmp_path / "corrected.txt"
    path.write_bytes(TRANSCRIPTION.encode(encoding))
    result = run("item", "text", dossier, "--page", 2, "--file", path)
    assert result.exit_code == 0, result.output
    assert show(run, dossier)["pages"][1]["text"]["text"] == TRANSCRIPTION.strip()
    tags = {f"{t['vocabulary']}:{t['term']}" for t in show(run, dossier)["tags"]}
    assert "theme:children" in tags


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("Biên".encode("cp1258"), "is not UTF-8 text (byte 0xea at offset 2)"),
        ("Biên bản".encode("utf-16-le"), "holds NUL bytes (UTF-16 without a BOM?)"),
    ],
    ids=["windows-1258", "utf-16-without-bom"],
)
def test_item_text_names_the_encoding_to_use_for_any_other_file(
    run, ingested, tmp_path, data, message
):
    path = tmp_path / "corrected.txt"
    path.write_bytes(data)
    result = run("item", "text", ingested["dossier.tif"], "--page", 1, "--file", path)
    assert result.exit_code == 2
    assert message in result.output and "save it as UTF-8" in result.output
    assert "Traceback" not in result.output


def test_item_text_without_a_file_prints_the_pages_text_in_full(run, ingested, tmp_path):
    dossier = ingested["dossier.tif"]
    path = tmp_path / "corrected.txt"
    path.write_text(TRANSCRIPTION, encoding="utf-8")
    run("item", "text", dossier, "--page", 3, "--file", path)
    result = run("item", "text", dossier, "--page", 3)
    assert result.exit_code == 0, result.output
    assert result.output == TRANSCRIPTION.strip() + "\n"  # all of it: item show cuts it at 300
    result = run("item", "text", dossier, "--page", 1)  # a blank page: OCR found no text
    assert result.exit_code == 1
    assert f"{dossier} page 1 has no text" in result.output


def test_status_leaves_out_failures_a_later_run_mended(run, ingested, tmp_path):
    text_pdf(tmp_path / "in" / "invalid.pdf", ["Ke hoach so 1297"])  # the archivist mends it
    result, report = run.ingest(tmp_path / "in")
    assert outcomes(report)["invalid.pdf"]["outcome"] == "created"
    result = run("status")
    assert "invalid.pdf" not in result.output
    assert "(1 failed, and a later run ingested them)" in result.output
    data = json.loads(run("status", "--json").output)
    first = data["runs"][-1]
    assert (first["failed"], first["mended"]) == ([], 1)


def test_verify_names_the_items_that_use_a_damaged_master(run, home, ingested):
    dossier = show(run, ingested["dossier.tif"])
    stored = home / dossier["masters"][0]["stored_path"]
    stored.unlink()
    result = run("verify")
    assert result.exit_code == 1
    assert f"missing  {dossier['masters'][0]['stored_path']}: missing; used by {dossier['id']}" in (
        result.output
    )


def test_the_ingest_summary_names_each_duplicate_and_what_it_duplicates(run, ingested, tmp_path):
    copy = tmp_path / "again" / "copy of Canon.jpg"
    copy.parent.mkdir()
    copy.write_bytes((tmp_path / "in" / "Canon_40D.jpg").read_bytes())
    result, _ = run.ingest(tmp_path / "again")
    assert result.exit_code == 0, result.output
    assert f"duplicate {copy}: the same content as {ingested['Canon_40D.jpg']}" in result.output


def test_retag_names_the_items_whose_tags_changed_and_how(run, home, ingested, tmp_path):
    accession = ingested["Canon_40D.jpg"]
    run("item", "set", accession, "subject=Công ước về quyền trẻ em")
    vocabularies = tmp_path / "vocabularies"
    vocabularies.mkdir()
    shipped = Path(settings.__file__).parent / "vocabularies"
    for name in ("district.yaml", "ethnic-group.yaml", "theme.yaml"):  # the conventions go
        (vocabularies / name).write_bytes((shipped / name).read_bytes())
    with (home / "archive.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'vocabularies = "{vocabularies}"\n')
    result = run("tag", "--retag")
    assert result.exit_code == 0, result.output
    assert f"{accession}: -convention:CRC" in result.output
    assert "2 items tagged again; the tags of 1 changed" in result.output


def test_item_list_lists_items_newest_first_with_filters(run, ingested):
    photo, dossier = ingested["Canon_40D.jpg"], ingested["dossier.tif"]
    run("item", "set", dossier, "collection=ubnd-tinh/ho-so", "access=restricted", "date=1976")
    result = run("item", "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == sorted([photo, dossier], reverse=True)
    assert lines[-1] == "2 items"
    dossier_line = next(line for line in lines if line.startswith(dossier))
    assert dossier_line.split()[1:5] == ["document", "restricted", "ubnd-tinh/ho-so", "1976"]
    assert run("item", "list", "--type", "photo").output.splitlines()[-1] == "1 items"
    assert photo not in run("item", "list", "--collection", "ubnd-tinh").output
    assert dossier not in run("item", "list", "--access", "public").output
    assert run("item", "list", "--since", "2999-01-01").output.strip() == "0 items"
    result = run("item", "list", "--collection", "ubnd-tinhh")
    assert result.exit_code == 1
    assert "no collection 'ubnd-tinhh'; did you mean 'ubnd-tinh'?" in result.output


def test_item_list_json_and_csv_have_a_stable_shape(run, ingested):
    dossier = ingested["dossier.tif"]
    run("item", "set", dossier, "collection=ubnd-tinh/ho-so", "title=Hồ sơ, 1976")
    data = json.loads(run("item", "list", "--json", "--sort", "id").output)
    assert list(data) == ["items", "count"] and data["count"] == 2
    assert [row["id"] for row in data["items"]] == sorted(
        ingested[n] for n in ("Canon_40D.jpg", "dossier.tif")
    )
    row = next(row for row in data["items"] if row["id"] == dossier)
    assert list(row) == ["id", "type", "access", "collection", "date", "created_at", "title"]
    assert (row["collection"], row["title"]) == ("ubnd-tinh/ho-so", {"vi": "Hồ sơ, 1976"})
    rows = list(csv.DictReader(io.StringIO(run("item", "list", "--csv").output)))
    assert list(rows[0]) == ["id", "type", "access", "collection", "date", "created_at", "title"]
    assert next(r for r in rows if r["id"] == dossier)["title"] == "Hồ sơ, 1976"


def test_item_list_csv_runs_no_cell_as_a_formula(run, ingested):
    dossier = ingested["dossier.tif"]
    for title in ('=HYPERLINK("http://x")', "+84 260", "-5 độ", "@nhóm", "'=kept"):
        run("item", "set", dossier, f"title={title}")
        rows = list(csv.DictReader(io.StringIO(run("item", "list", "--csv").output)))
        assert next(r for r in rows if r["id"] == dossier)["title"] == neutralised(title)
        assert neutralised(title).startswith("'")
