"""Sidecars (`metadata.csv`, `item.yaml`) at ingest: a description is never lost on the way, so
nothing a sidecar describes is catalogued undescribed (or public) by mistake, and no sidecar,
however broken, stops the run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, make_image, outcomes

CANON = "photos/exif-samples/Canon_40D.jpg"


def show(run, accession_id: str) -> dict:
    result = run("item", "show", accession_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def items_created(report: dict) -> list[str]:
    return [e["input"] for e in report["inputs"] if e["outcome"] == "created"]


def three_photos(folder: Path) -> None:
    for n in range(3):
        make_image(folder / f"p{n}.jpg", color=(n * 60, 10, 10))


# A metadata.csv that breaks part-way fails every file of its folder, naming the row.

BROKEN_SHEETS = [
    (
        "a stray carriage return",
        b"file,title,access\r\np0.jpg,A,public\r\np1.jpg,B\r,restricted\r\np2.jpg,C,restricted\r\n",
        3,
        "line break",
    ),
    (
        "a field over the size limit",
        b"file,title,access\np0.jpg,A,public\np1.jpg,"
        + b"x" * 140_000
        + b",restricted\np2.jpg,C,restricted\n",
        3,
        "longer than",
    ),
    (
        "an unterminated quote",
        b'file,title,access\np0.jpg,A,public\np1.jpg,"B\np2.jpg,C,restricted\n',
        3,
        "quote",
    ),
    (
        "a stray line feed in a CR file",
        b"file,title,access\rp0.jpg,A,public\rp1.jpg,B\n,restricted\rp2.jpg,C,restricted\r",
        3,
        "line break",
    ),
    (
        "a row with values but no file",
        b"file,title,access\np0.jpg,A,public\n,B,restricted\np2.jpg,C,restricted\n",
        3,
        "`file` column is empty",
    ),
]


@pytest.mark.parametrize(
    ("case", "content", "row", "reason"), BROKEN_SHEETS, ids=[c[0] for c in BROKEN_SHEETS]
)
def test_a_csv_that_breaks_part_way_fails_every_file_of_its_folder_naming_the_row(
    run, tmp_path, case, content, row, reason
):
    inbox = tmp_path / "in"
    three_photos(inbox)
    make_image(inbox / "sub" / "below.jpg", color=(0, 0, 200))
    (inbox / "metadata.csv").write_bytes(content)
    make_image(tmp_path / "other" / "elsewhere.jpg", color=(0, 200, 0))
    result, report = run.ingest(inbox, tmp_path / "other")
    assert result.exit_code == 1, result.output
    found = outcomes(report)
    sheet = found["metadata.csv"]
    assert (sheet["outcome"], sheet["row"]) == ("failed", row), sheet
    assert reason in sheet["reason"]
    for name in ("p0.jpg", "p1.jpg", "p2.jpg", "below.jpg"):
        assert found[name]["outcome"] == "failed", found[name]
        assert f"row {row}: " in found[name]["reason"] and reason in found[name]["reason"]
    assert [Path(name).name for name in items_created(report)] == ["elsewhere.jpg"]
    assert f"metadata.csv (row {row})" in result.output


def test_a_row_after_a_cell_holding_a_line_break_is_named_by_its_spreadsheet_row(run, tmp_path):
    inbox = tmp_path / "in"
    three_photos(inbox)
    (inbox / "metadata.csv").write_text(
        'file,title,access\np0.jpg,"Hai\ndòng",public\np1.jpg,B,secret\np2.jpg,C,public\n',
        encoding="utf-8",
    )
    _, report = run.ingest(inbox)
    found = outcomes(report)
    assert found["p1.jpg"]["reason"].endswith(
        "row 3: access: 'secret' must be public or restricted"
    )
    assert found["p0.jpg"]["outcome"] == found["p2.jpg"]["outcome"] == "created"


def test_a_file_named_on_two_rows_fails_naming_both(run, tmp_path):
    inbox = tmp_path / "in"
    three_photos(inbox)
    (inbox / "metadata.csv").write_text(
        "file,title,access\np0.jpg,A,restricted\np1.jpg,B,public\np0.jpg,A,public\n",
        encoding="utf-8",
    )
    result, report = run.ingest(inbox)
    assert result.exit_code == 1
    found = outcomes(report)
    assert found["p0.jpg"]["outcome"] == "failed"
    assert "rows 2 and 4" in found["p0.jpg"]["reason"]
    assert found["p1.jpg"]["outcome"] == found["p2.jpg"]["outcome"] == "created"


def test_a_csv_with_a_column_twice_fails_every_file_of_its_folder(run, tmp_path):
    inbox = tmp_path / "in"
    three_photos(inbox)
    (inbox / "metadata.csv").write_text(
        "file,access,title,access\np0.jpg,restricted,A,public\n", encoding="utf-8"
    )
    _, report = run.ingest(inbox)
    found = outcomes(report)
    assert "the column 'access' appears twice" in found["metadata.csv"]["reason"]
    assert {found[f"p{n}.jpg"]["outcome"] for n in range(3)} == {"failed"}


def test_two_sidecars_describing_one_file_differently_fail_it_naming_both(run, tmp_path):
    top = tmp_path / "top"
    make_image(top / "sub" / "a.jpg")
    make_image(top / "sub" / "b.jpg", color=(1, 1, 1))
    (top / "metadata.csv").write_text(
        "file,title,access\nsub/a.jpg,A,restricted\nsub/b.jpg,B,public\nso/,Sổ,restricted\n",
        encoding="utf-8",
    )
    (top / "sub" / "metadata.csv").write_text(
        "file,title,access\na.jpg,A,public\nb.jpg,B,public\n", encoding="utf-8"
    )
    page_folder(top / "so", "title: Sổ\naccess: public\n")
    result, report = run.ingest(top)
    assert result.exit_code == 1
    found = outcomes(report)
    assert found["a.jpg"]["outcome"] == found["so"]["outcome"] == "failed"
    assert found["a.jpg"]["reason"] == (
        f"described differently by {top / 'metadata.csv'} row 2 "
        f"and {top / 'sub' / 'metadata.csv'} row 2"
    )
    assert "item.yaml" in found["so"]["reason"] and "row 4" in found["so"]["reason"]
    assert found["b.jpg"]["outcome"] == "created"


# Sidecars that cannot be read fail their folder; the run goes on.


def test_a_csv_with_cr_line_ends_is_read(run, tmp_path):
    inbox = tmp_path / "in"
    three_photos(inbox)
    (inbox / "metadata.csv").write_bytes(
        'file,title,access\rp0.jpg,Lễ hội,restricted\rp1.jpg,"Hai\rdòng",public\r'.encode()
    )
    result, report = run.ingest(inbox)
    assert result.exit_code == 0, result.output
    found = outcomes(report)
    restricted = show(run, found["p0.jpg"]["item"])
    assert (restricted["title"], restricted["access"]) == ({"vi": "Lễ hội"}, "restricted")
    assert show(run, found["p1.jpg"]["item"])["title"] == {"vi": "Hai\rdòng"}


def page_folder(folder: Path, yaml_text: str) -> Path:
    make_image(folder / "page-1.png", color=120)
    (folder / "item.yaml").write_text(yaml_text, encoding="utf-8")
    return folder


UNREADABLE_YAML = [
    ("nested 50,000 deep", "title: " + "[" * 50_000 + "]" * 50_000 + "\n", "nested too deeply"),
    ("a date that is no date", "date: 2023-13-45\n", "not valid YAML"),
    ("an integer of 5,000 digits", "creator: " + "9" * 5_000 + "\n", "not valid YAML"),
    ("a hexadecimal of 5,000 digits", "creator: 0x" + "f" * 5_000 + "\n", "too long"),
    ("a mapping where text goes", "creator: {name: Nguyễn Văn A}\n", "creator: expected text"),
    ("a list inside a language map", "title: {vi: [a, b]}\n", "title.vi: expected text"),
    ("a list where text goes", "place: [Kon Tum, Đắk Tô]\n", "place: expected text"),
    ("a mapping where subjects go", "subject: {a: b}\n", "subject: expected a list"),
    ("a field name that is not text", "1975: c\n", "field names"),
    ("an alias", "title: &t Biên bản\ndescription: *t\n", "aliases"),
]


@pytest.mark.parametrize(
    ("case", "text", "reason"), UNREADABLE_YAML, ids=[c[0] for c in UNREADABLE_YAML]
)
def test_an_item_yaml_that_cannot_be_read_fails_its_folder_and_the_run_goes_on(
    run, tmp_path, case, text, reason
):
    page_folder(tmp_path / "in" / "bien-ban", text)
    make_image(tmp_path / "in" / "zz-photo.jpg")
    result, report = run.ingest(tmp_path / "in")
    assert result.exit_code == 1, result.output
    found = outcomes(report)
    assert found["bien-ban"]["outcome"] == "failed", found["bien-ban"]
    assert found["bien-ban"]["step"] == "sidecar"
    assert "item.yaml" in found["bien-ban"]["reason"] and reason in found["bien-ban"]["reason"]
    assert found["zz-photo.jpg"]["outcome"] == "created"


BILLION_LAUGHS = "title:\n vi:\n - &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f" - &{name} [{','.join([f'*{prev}'] * 9)}]\n"
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True)
)


def test_a_billion_laughs_item_yaml_is_refused_at_once_in_little_memory(tmp_path):
    """Nine levels of aliases in a language map expand to 387 million strings (GBs): refused
    from the first alias, before anything expands. Run under a 1 GB address-space limit, so
    that a reader that did expand fails here rather than exhausting the machine."""
    folder = page_folder(tmp_path / "bomb", BILLION_LAUGHS)
    assert len(BILLION_LAUGHS.encode()) == 336
    code = (
        "import resource, sys, time, tracemalloc; from pathlib import Path\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from ingest.discover import discover\n"
        "tracemalloc.start(); started = time.perf_counter()\n"
        "found = discover([Path(sys.argv[1])], 'vi')\n"
        "seconds = time.perf_counter() - started; peak = tracemalloc.get_traced_memory()[1]\n"
        "print(found.units[0].sidecar_error); print(seconds); print(peak)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    reason, seconds, peak = done.stdout.strip().splitlines()
    assert "aliases" in reason
    assert float(seconds) < 5, "an expansion, not a refusal"
    assert int(peak) < 5_000_000


# The delimiter is found from the header line.


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_csv_separated_by_semicolons_or_tabs_is_read(run, tmp_path, separator):
    inbox = tmp_path / "in"
    make_image(inbox / "a.jpg")
    rows = [["file", "title", "access"], ["a.jpg", "Lễ hội, cồng chiêng", "restricted"]]
    (inbox / "metadata.csv").write_text(
        "".join(separator.join(row) + "\n" for row in rows), encoding="utf-8"
    )
    result, report = run.ingest(inbox)
    assert result.exit_code == 0, result.output
    item = show(run, report["inputs"][0]["item"])
    assert (item["title"], item["access"]) == ({"vi": "Lễ hội, cồng chiêng"}, "restricted")


def test_a_csv_with_no_file_column_by_any_separator_says_which_were_tried(run, tmp_path):
    inbox = tmp_path / "in"
    make_image(inbox / "a.jpg")
    (inbox / "metadata.csv").write_text("name|title\na.jpg|A\n", encoding="utf-8")
    _, report = run.ingest(inbox)
    reason = outcomes(report)["metadata.csv"]["reason"]
    assert "no `file` column" in reason and "semicolons" in reason


# A metadata.csv above the path given applies to the files it names.


def nested(tmp_path: Path) -> Path:
    """top/metadata.csv describes top/sub/a.jpg (restricted) and top/elsewhere/b.jpg."""
    top = tmp_path / "top"
    make_image(top / "sub" / "a.jpg")
    make_image(top / "sub" / "plain.jpg", color=(9, 9, 9))
    make_image(top / "elsewhere" / "b.jpg", color=(0, 90, 0))
    (top / "metadata.csv").write_text(
        "file,title,access\nsub/a.jpg,Hồ sơ mật,restricted\nelsewhere/b.jpg,B,public\n"
        "elsewhere/gone.jpg,C,public\n",
        encoding="utf-8",
    )
    return top


def test_a_parent_folders_csv_describes_the_files_of_a_subfolder_ingested_alone(run, tmp_path):
    top = nested(tmp_path)
    result, report = run.ingest(top / "sub")
    assert result.exit_code == 0, result.output
    found = outcomes(report)
    assert set(found) == {"a.jpg", "plain.jpg"}, "rows outside the path given are not reported"
    item = show(run, found["a.jpg"]["item"])
    assert (item["title"], item["access"]) == ({"vi": "Hồ sơ mật"}, "restricted")
    assert found["a.jpg"]["described_by"] == f"{top / 'metadata.csv'} row 2"
    assert "described_by" not in found["plain.jpg"]


def test_a_parent_folders_csv_describes_a_single_file_given(run, tmp_path):
    top = nested(tmp_path)
    result, report = run.ingest(top / "sub" / "a.jpg")
    assert result.exit_code == 0, result.output
    assert show(run, report["inputs"][0]["item"])["access"] == "restricted"


def test_csvs_above_are_read_up_to_the_first_folder_holding_none(run, tmp_path):
    top = nested(tmp_path)
    (top / "sub" / "deeper").mkdir()
    (top / "sub" / "a.jpg").rename(top / "sub" / "deeper" / "a.jpg")
    (top / "sub" / "deeper" / "metadata.csv").write_text("file,title\na.jpg,Gần\n")
    _, report = run.ingest(top / "sub" / "deeper")
    item = show(run, outcomes(report)["a.jpg"]["item"])
    assert (item["title"], item["access"]) == ({"vi": "Gần"}, "public")


def test_a_parent_csv_that_cannot_be_read_fails_the_files_of_the_path_given(run, tmp_path):
    top = nested(tmp_path)
    (top / "metadata.csv").write_bytes(b"file,title,access\nsub/a.jpg,\xff,restricted\n")
    result, report = run.ingest(top / "sub")
    assert result.exit_code == 1
    found = outcomes(report)
    assert found["metadata.csv"]["outcome"] == "failed"
    assert found["a.jpg"]["outcome"] == found["plain.jpg"]["outcome"] == "failed"
    assert "elsewhere" not in json.dumps(report)


def test_a_page_of_a_document_folder_given_alone_is_refused(run, tmp_path):
    folder = page_folder(tmp_path / "bien-ban", "title: Biên bản\naccess: restricted\n")
    result, report = run.ingest(folder / "page-1.png")
    assert result.exit_code == 1
    [entry] = report["inputs"]
    assert entry["outcome"] == "failed" and "item.yaml" in entry["reason"]


def test_a_dry_run_says_which_sidecar_describes_each_file_and_the_title_and_access_it_gets(
    run, tmp_path
):
    top = nested(tmp_path)
    page_folder(top / "sub" / "bien-ban", "title: {vi: Biên bản, en: Minutes}\n")
    result, report = run.ingest(top / "sub", "--dry-run")
    assert result.exit_code == 0, result.output
    found = outcomes(report)
    assert found["a.jpg"]["title"] == {"vi": "Hồ sơ mật"}
    assert found["a.jpg"]["access"] == "restricted"
    assert found["bien-ban"]["described_by"] == str(top / "sub" / "bien-ban" / "item.yaml")
    assert (found["plain.jpg"]["title"], found["plain.jpg"]["access"]) == (
        {"vi": "plain"},
        "public",
    )
    lines = result.output.splitlines()
    assert (
        f"would create {top / 'sub' / 'a.jpg'}: “Hồ sơ mật”, restricted, "
        f"described by {top / 'metadata.csv'} row 2"
    ) in lines
    assert f"would create {top / 'sub' / 'plain.jpg'}: “plain”, public, no sidecar" in lines


# Duplicates inside one run: the item holding the content takes the description.


@pytest.mark.parametrize("batch_size", ["1", "50"])
def test_the_item_of_two_identical_files_takes_the_description_of_the_described_one(
    run, tmp_path, monkeypatch, batch_size
):
    monkeypatch.setenv("ARCHIVE_BATCH_SIZE", batch_size)
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in ("a-copy.jpg", "b-described.jpg"):
        (inbox / name).write_bytes((DATA / CANON).read_bytes())
    (inbox / "metadata.csv").write_text(
        "file,title,access,subject\nb-described.jpg,Hồ sơ mật,restricted,mật\n", encoding="utf-8"
    )
    result, report = run.ingest(inbox)
    assert result.exit_code == 0, result.output
    found = outcomes(report)
    item = found["a-copy.jpg"]["item"]
    assert found["b-described.jpg"]["outcome"] == "duplicate"
    assert found["b-described.jpg"]["duplicate_of"] == item
    described = show(run, item)
    assert (described["title"], described["access"]) == ({"vi": "Hồ sơ mật"}, "restricted")
    assert described["subjects"] == ["mật"]
    sheet_row = f"{inbox / 'metadata.csv'} row 2"
    assert found["a-copy.jpg"]["described_by"] == found["b-described.jpg"]["described_by"]
    assert found["b-described.jpg"]["described_by"] == sheet_row
    searched = run("search", "mật", "--json")
    assert [hit["id"] for hit in json.loads(searched.output)["items"]] == [item]


def test_a_dry_run_shows_the_description_the_item_of_two_copies_would_take(run, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in ("a-copy.jpg", "b-described.jpg"):
        (inbox / name).write_bytes((DATA / CANON).read_bytes())
    (inbox / "metadata.csv").write_text(
        "file,title,access\nb-described.jpg,Hồ sơ mật,restricted\n", encoding="utf-8"
    )
    _, report = run.ingest(inbox, "--dry-run")
    found = outcomes(report)
    assert found["a-copy.jpg"]["outcome"] == "would-create"
    assert found["a-copy.jpg"]["title"] == {"vi": "Hồ sơ mật"}
    assert found["a-copy.jpg"]["access"] == "restricted"
    assert found["b-described.jpg"]["outcome"] == "duplicate"


@pytest.mark.parametrize("dry_run", [False, True])
def test_two_copies_described_differently_fail_on_both_rows_and_nothing_is_created(
    run, home, tmp_path, dry_run
):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in ("a.jpg", "b.jpg", "c-undescribed.jpg", "sub/d.jpg"):
        (inbox / name).parent.mkdir(exist_ok=True)
        (inbox / name).write_bytes((DATA / CANON).read_bytes())
    make_image(inbox / "other.jpg")
    (inbox / "metadata.csv").write_text(
        "file,title,access\na.jpg,Công khai,public\nb.jpg,Mật,restricted\nsub/d.jpg,Mật,public\n",
        encoding="utf-8",
    )
    result, report = run.ingest(inbox, *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 1, result.output
    found = outcomes(report)
    for name in ("a.jpg", "b.jpg", "c-undescribed.jpg", "d.jpg"):
        assert found[name]["outcome"] == "failed", found[name]
        assert "described differently" in found[name]["reason"]
    assert "row 2" in found["b.jpg"]["reason"] and "row 3" in found["a.jpg"]["reason"]
    assert found["other.jpg"]["outcome"] == ("would-create" if dry_run else "created")


def test_two_copies_described_alike_are_one_item_and_a_duplicate(run, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in ("a.jpg", "b.jpg"):
        (inbox / name).write_bytes((DATA / CANON).read_bytes())
    (inbox / "metadata.csv").write_text(
        "file,title,access\na.jpg,Mật,restricted\nb.jpg,Mật,restricted\n", encoding="utf-8"
    )
    result, report = run.ingest(inbox)
    assert result.exit_code == 0, result.output
    found = outcomes(report)
    assert (found["a.jpg"]["outcome"], found["b.jpg"]["outcome"]) == ("created", "duplicate")
    assert show(run, found["a.jpg"]["item"])["access"] == "restricted"
