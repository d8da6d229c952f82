"""`archive ingest` end to end: real files, a real archive home, the CLI as an archivist runs it."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import unicodedata
from contextlib import closing
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from archive import derivatives
from archive.home import Archive
from archive.models import IngestEvent, Item, Master, Page
from tests import databases
from tests.conftest import DATA, Cli, bomb_png, copy_sample, make_image, outcomes, text_pdf

CANON = "photos/exif-samples/Canon_40D.jpg"
KODAK = "photos/exif-samples/Kodak_CX7530.jpg"


def db_counts(home: Path) -> dict[str, int]:
    archive = Archive.open(home)
    with archive.session() as session:
        counts = {
            "items": session.scalar(select(func.count(Item.id))),
            "masters": session.scalar(select(func.count(Master.id))),
            "pages": session.scalar(select(func.count(Page.id))),
        }
    archive.close()
    return counts


def stored_files(home: Path) -> dict[str, bytes]:
    return {
        p.relative_to(home).as_posix(): p.read_bytes()
        for p in (home / "masters").rglob("*")
        if p.is_file()
    }


def show(run, accession_id: str) -> dict:
    result = run("item", "show", accession_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_ingest_creates_one_item_per_file_with_a_read_only_master(run, home, tmp_path):
    inbox = tmp_path / "inbox"
    copy_sample(CANON, inbox)
    make_image(inbox / "scan.png", color=240)
    result, report = run.ingest(inbox)
    assert result.exit_code == 0, result.output
    assert "2 created, 0 failed" in result.output
    created = {Path(e["input"]).name: e["item"] for e in report["inputs"]}
    assert set(created) == {"Canon_40D.jpg", "scan.png"}
    photo = show(run, created["Canon_40D.jpg"])
    master = photo["masters"][0]
    stored = home / master["stored_path"]
    assert stored.read_bytes() == (DATA / CANON).read_bytes()
    assert master["sha256"] in stored.name
    assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert photo["id"].startswith("KT-") and photo["id"].endswith("-000001")


def test_accession_ids_follow_the_configured_prefix_in_order(run, home, tmp_path):
    (home / "archive.toml").write_text('identifier_prefix = "DL"\n')
    for n in range(3):
        make_image(tmp_path / "in" / f"photo-{n}.jpg", color=(n * 60, 10, 10))
    _, report = run.ingest(tmp_path / "in", workers=2)
    ids = [e["item"] for e in report["inputs"]]
    assert [i.split("-")[0] for i in ids] == ["DL"] * 3
    assert [int(i.split("-")[2]) for i in ids] == [1, 2, 3]


def test_ingest_skips_a_file_already_ingested(run, home, tmp_path):
    copy_sample(CANON, tmp_path / "in")
    run.ingest(tmp_path / "in")
    result, report = run.ingest(tmp_path / "in")
    assert result.exit_code == 0, result.output
    assert [e["outcome"] for e in report["inputs"]] == ["unchanged"]
    assert db_counts(home)["items"] == 1


def test_a_second_run_writes_the_same_journal_through_sqlite3_as_through_the_models(
    runner, tmp_path, monkeypatch
):
    """A run that finds every file done writes its journal with sqlite3, to start without
    SQLAlchemy; with a database named in the settings it goes through the models instead."""
    copy_sample(CANON, tmp_path / "in")
    (tmp_path / "in" / ".DS_Store").write_bytes(b"\0")  # passed over: in the journal too
    found = []
    for name, named_database in (("quick", False), ("models", True)):
        home = tmp_path / name
        Archive.create(home).close()
        monkeypatch.delenv("ARCHIVE_DATABASE_URL", raising=False)
        if named_database:
            monkeypatch.setenv("ARCHIVE_DATABASE_URL", f"sqlite:///{home / 'archive.db'}")
        assert (Archive.open(home).sqlite_path is None) is named_database
        ingest = Cli(runner, home, home)
        ingest.ingest(tmp_path / "in")
        result, report = ingest.ingest(tmp_path / "in")
        assert result.exit_code == 0, result.output
        status = json.loads(ingest("status", "--json").output)["runs"][0]
        found.append((report, _journal_rows(home, report["run"]), _timeless(status)))
    assert [e["outcome"] for e in found[0][0]["inputs"]] == ["skipped", "unchanged"]
    assert found[0] == found[1]


def _journal_rows(home: Path, run_id: int) -> list[tuple]:
    """A run's rows as stored, with each time reduced to the form SQLAlchemy keeps it in."""
    with closing(sqlite3.connect(home / "archive.db")) as connection:
        rows = connection.execute("SELECT * FROM ingest_runs WHERE id = ?", (run_id,)).fetchall()
        rows += connection.execute(
            "SELECT * FROM ingest_events WHERE run_id = ? ORDER BY id", (run_id,)
        ).fetchall()
    stored_time = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
    return [
        tuple("<time>" if stored_time.fullmatch(str(v)) else v for v in row[1:]) for row in rows
    ]


def _timeless(run: dict) -> dict:
    return {k: v for k, v in run.items() if k not in ("started_at", "finished_at")} | {
        "finished": run["finished_at"] is not None
    }


@pytest.mark.database("sqlite")  # the quick path reads the home's own file (archive/sqlite.py)
def test_a_second_run_over_files_already_done_imports_no_database_image_or_pool_library(
    run, home, tmp_path
):
    copy_sample(CANON, tmp_path / "in")
    run.ingest(tmp_path / "in")
    script = (
        "import sys\n"
        "from archive.cli import cli\n"
        "try:\n"
        "    cli(['--home', sys.argv[1], 'ingest', sys.argv[2]], prog_name='archive')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "heavy = ('sqlalchemy', 'alembic', 'PIL', 'pyvips', 'whoosh', 'pytesseract',\n"
        "         'multiprocessing')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(home), str(tmp_path / "in")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines() == ["0 created, 1 unchanged, 0 failed", "[]"]


def test_an_identical_file_under_another_name_is_a_duplicate_not_a_new_item(run, home, tmp_path):
    copy_sample(CANON, tmp_path / "a")
    run.ingest(tmp_path / "a")
    copy = tmp_path / "b" / "renamed copy.jpg"
    copy.parent.mkdir()
    copy.write_bytes((DATA / CANON).read_bytes())
    copy_sample(CANON, tmp_path / "b" / "again")
    result, report = run.ingest(tmp_path / "b")
    assert result.exit_code == 0, result.output
    assert {e["outcome"] for e in report["inputs"]} == {"duplicate"}
    assert {e["duplicate_of"] for e in report["inputs"]} == {f"KT-{_year()}-000001"}
    assert db_counts(home) == {"items": 1, "masters": 1, "pages": 1}


def _year() -> int:
    from datetime import UTC, datetime

    return datetime.now(UTC).year


def test_a_multipage_tiff_and_a_pdf_are_documents_with_their_pages(run, tmp_path):
    copy_sample("documents/g4-multi.tiff", tmp_path / "in")
    pages = [Image.new("L", (400, 560), 250 - 40 * n) for n in range(4)]
    pages[0].save(tmp_path / "in" / "letter.pdf", save_all=True, append_images=pages[1:])
    _, report = run.ingest(tmp_path / "in")
    found = outcomes(report)
    tiff, pdf = show(run, found["g4-multi.tiff"]["item"]), show(run, found["letter.pdf"]["item"])
    assert (tiff["type"], len(tiff["pages"])) == ("document", 3)
    assert [p["frame"] for p in tiff["pages"]] == [0, 1, 2]
    assert (tiff["pages"][0]["width"], tiff["pages"][0]["height"]) == (3307, 4677)
    assert (pdf["type"], len(pdf["pages"]), len(pdf["masters"])) == ("document", 4, 1)


def test_a_folder_with_item_yaml_is_one_document_with_pages_in_name_order(run, tmp_path):
    folder = tmp_path / "in" / "bien-ban-1976"
    for n in (10, 2, 1):
        make_image(folder / f"page-{n}.png", size=(50 + n, 70), color=200)
    (folder / "item.yaml").write_text(
        "title: {vi: Biên bản họp, en: Minutes}\ndate: 1976-03\nlanguage: [vie]\n",
        encoding="utf-8",
    )
    result, report = run.ingest(tmp_path / "in")
    assert result.exit_code == 0, result.output
    [entry] = report["inputs"]
    assert entry["input"].endswith("bien-ban-1976")
    item = show(run, entry["item"])
    assert item["type"] == "document"
    assert item["title"] == {"vi": "Biên bản họp", "en": "Minutes"}
    assert (item["date"], item["year_start"], item["languages"]) == ("1976-03", 1976, ["vie"])
    assert [p["width"] for p in item["pages"]] == [51, 52, 60]
    assert [Path(m["original_path"]).name for m in item["masters"]] == [
        "page-1.png",
        "page-2.png",
        "page-10.png",
    ]


def test_a_metadata_csv_row_naming_a_folder_makes_it_one_document(run, tmp_path):
    folder = tmp_path / "in" / "so-1"
    for n in (1, 2):
        make_image(folder / f"p{n}.tif", color=100 + n)
    (tmp_path / "in" / "metadata.csv").write_text("file,title\nso-1,Sổ thứ nhất\n")
    _, report = run.ingest(tmp_path / "in")
    [entry] = report["inputs"]
    item = show(run, entry["item"])
    assert (item["title"], len(item["pages"])) == ({"vi": "Sổ thứ nhất"}, 2)


def test_metadata_csv_values_win_over_embedded_metadata(run, tmp_path):
    inbox = tmp_path / "in"
    copy_sample(KODAK, inbox)
    copy_sample(CANON, inbox)
    (inbox / "metadata.csv").write_bytes(
        "\ufefffile,title,title_en,date,creator,subject,language,rights,place,latitude,"
        "longitude,access\n"
        "Kodak_CX7530.jpg,Lễ hội cồng chiêng,Gong festival,199X,Nguyễn Văn A,văn hoá;lễ hội,"
        "vie;bdq,http://rightsstatements.org/vocab/InC-EDU/1.0/,Kon Tum,14.35,108.0,"
        "restricted\n".encode()
    )
    result, report = run.ingest(inbox)
    assert result.exit_code == 0, result.output
    found = outcomes(report)
    item = show(run, found["Kodak_CX7530.jpg"]["item"])
    assert item["title"] == {"vi": "Lễ hội cồng chiêng", "en": "Gong festival"}
    assert (item["date"], item["year_start"], item["year_end"]) == ("199X", 1990, 1999)
    assert (item["latitude"], item["longitude"]) == (14.35, 108.0)
    assert item["subjects"] == ["văn hoá", "lễ hội"]
    assert item["languages"] == ["vie", "bdq"]
    assert item["access"] == "restricted"
    assert item["rights"] == "http://rightsstatements.org/vocab/InC-EDU/1.0/"
    assert item["technical"]["date_taken"] == "2005-08-13T09:47:23"
    untouched = show(run, found["Canon_40D.jpg"]["item"])
    assert (untouched["date"], untouched["access"]) == ("2008-05-30", "public")


def test_embedded_gps_and_camera_become_the_item_place_and_type(run, tmp_path):
    copy_sample(KODAK, tmp_path / "in")
    _, report = run.ingest(tmp_path / "in")
    item = show(run, report["inputs"][0]["item"])
    assert item["type"] == "photo"
    assert (round(item["latitude"], 4), round(item["longitude"], 4)) == (-0.3713, 36.0564)
    assert item["technical"]["model"] == "KODAK CX7530 ZOOM DIGITAL CAMERA"


@pytest.mark.parametrize(
    ("name", "requested", "expected"),
    [
        ("Canon_40D.jpg", "auto", "photo"),
        ("scan.png", "auto", "document"),
        ("plain.jpg", "auto", "photo"),
        ("scan.png", "photo", "photo"),
        ("Canon_40D.jpg", "document", "document"),
    ],
)
def test_photo_or_document_follows_the_documented_rule(run, tmp_path, name, requested, expected):
    if name == "Canon_40D.jpg":
        copy_sample(CANON, tmp_path / "in")
    else:
        make_image(tmp_path / "in" / name, color=230)
    _, report = run.ingest(tmp_path / "in", "--type", requested)
    assert show(run, report["inputs"][0]["item"])["type"] == expected


def _decodes(path: Path) -> bool:
    try:
        with Image.open(path) as image:
            image.load()
        return True
    except (OSError, SyntaxError, ValueError):
        return False


@pytest.mark.parametrize(
    "path", sorted(DATA.rglob("*.jpg")), ids=lambda p: str(p.relative_to(DATA))
)
def test_a_jpeg_is_refused_when_its_structure_is_not_whole_as_decoding_refuses_it(path):
    """The structural check that stands in for decoding a JPEG whole: on every real JPEG of the
    samples it refuses what Pillow's full decode refuses, and every copy cut short of its
    end-of-image marker (as a transfer interrupted leaves it)."""
    from ingest.identify import jpeg_problem

    data = path.read_bytes()
    assert (jpeg_problem(data) is None) == _decodes(path)
    end = data.rfind(b"\xff\xd9")
    for cut in sorted({3, 200, end // 3, end // 2, end - 1, *range(end - 5, end)}):
        if 2 < cut < end:
            assert jpeg_problem(data[:cut]), cut
    assert jpeg_problem(data + b"trailing bytes after the end") == jpeg_problem(data)


def test_a_progressive_jpeg_with_restart_markers_is_whole(tmp_path):
    from ingest.identify import jpeg_problem

    image = Image.effect_noise((640, 480), 60).convert("RGB")
    for options in ({"progressive": True}, {"restart_marker_rows": 1}):
        image.save(tmp_path / "made.jpg", quality=90, **options)
        data = (tmp_path / "made.jpg").read_bytes()
        assert jpeg_problem(data) is None, options
        assert jpeg_problem(data[: len(data) // 2]), options


BAD_INPUTS = [
    ("empty.jpg", lambda p: p.write_bytes(b""), "identify", "empty file"),
    ("notes.jpg", lambda p: p.write_text("not an image"), "identify", "content is not image/jpeg"),
    ("truncated_jpeg.jpg", None, "identify", "truncated"),
    ("broken.png", None, "identify", "damaged image/png"),
    ("broken_data_stream.png", None, "identify", "damaged image/png"),
    ("truncated_end_chunk.png", None, "identify", "damaged image/png"),
    ("libtiff_segfault.tif", None, "identify", "damaged image/tiff"),
    ("invalid.pdf", None, "identify", "damaged PDF"),
    ("encrypted.pdf", "encrypted", "identify", "encrypted"),
    ("loop.tif", "loop", "identify", "page chain loops"),
    ("bomb.png", "bomb", "identify", "refused before decoding"),
    ("gone.jpg", "dangling", "read", "cannot read"),
]


def _make_bad(path: Path, how) -> None:
    if how is None:
        folder = "ocrmypdf-pdfs" if path.suffix == ".pdf" else "pillow"
        copy_sample(f"robustness/{folder}/{path.name}", path.parent)
    elif how == "encrypted":
        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(100, 100)
        writer.encrypt("secret", algorithm="RC4-128")
        writer.write(path)
    elif how == "loop":
        path.write_bytes(looping_tiff())
    elif how == "bomb":
        path.write_bytes(bomb_png())
    elif how == "dangling":
        os.symlink(path.parent / "nowhere.jpg", path)
    else:
        how(path)


def looping_tiff() -> bytes:
    """A two-page TIFF whose second page points back to the first."""
    import io
    import struct

    buffer = io.BytesIO()
    pages = [Image.new("L", (8, 8), 100), Image.new("L", (8, 8), 200)]
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:])
    data = bytearray(buffer.getvalue())
    first = struct.unpack("<I", data[4:8])[0]
    count = struct.unpack("<H", data[first : first + 2])[0]
    second = struct.unpack("<I", data[first + 2 + 12 * count : first + 6 + 12 * count])[0]
    count2 = struct.unpack("<H", data[second : second + 2])[0]
    at = second + 2 + 12 * count2
    data[at : at + 4] = struct.pack("<I", first)
    return bytes(data)


@pytest.mark.parametrize(
    ("name", "how", "step", "reason"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_a_bad_file_is_reported_with_its_reason_and_the_batch_goes_on(
    run, home, tmp_path, name, how, step, reason
):
    copy_sample(CANON, tmp_path / "before")
    run.ingest(tmp_path / "before")
    stored_before, counts_before = stored_files(home), db_counts(home)
    inbox = tmp_path / "in"
    inbox.mkdir()
    _make_bad(inbox / name, how)
    make_image(inbox / "zz-good.jpg")
    result, report = run.ingest(inbox)
    assert result.exit_code == 1, result.output
    found = outcomes(report)
    assert found[name]["outcome"] == "failed"
    assert found[name]["step"] == step
    assert reason in found[name]["reason"]
    assert name in result.output and reason in result.output
    assert found["zz-good.jpg"]["outcome"] == "created"
    after = stored_files(home)
    assert {k: v for k, v in after.items() if k in stored_before} == stored_before
    assert db_counts(home)["items"] == counts_before["items"] + 1


def test_a_bomb_is_refused_without_decoding_it(tmp_path):
    """A 400-megapixel PNG is refused from its header: reading it takes no memory to speak of."""
    import subprocess
    import sys

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(bomb_png())
    code = (
        "import re, sys; from pathlib import Path; from ingest.identify import identify\n"
        "from archive.errors import IngestError\n"
        "try: identify(Path(sys.argv[1]), 250_000_000, 10)\n"
        "except IngestError as e: print(e.reason)\n"
        "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])"
    )
    out = subprocess.run([sys.executable, "-c", code, str(bomb)], capture_output=True, text=True)
    reason, peak_kb = out.stdout.strip().splitlines()
    assert "refused before decoding" in reason
    assert int(peak_kb) < 150_000, "decoding would take 400 MB or more"


def jpeg_with_exif_segments(path: Path, segments: int) -> Path:
    """A small JPEG carrying `segments` Exif (APP1) segments of 64 kB before its image: 65 MB
    for 1,000 of them, which Pillow joins in time quadratic in their number."""
    import io

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    plain = buffer.getvalue()
    segment = b"\xff\xe1\xff\xff" + b"Exif\x00\x00" + bytes(65533 - 6)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(plain[:2] + segment * segments + plain[2:])
    return path


def test_a_jpeg_of_a_thousand_exif_segments_is_read_in_time_linear_in_its_size(tmp_path):
    import time

    from archive.storage import sha256_of
    from ingest.discover import Unit
    from ingest.pipeline import StepContext, prepare

    hostile = jpeg_with_exif_segments(tmp_path / "in" / "many-segments.jpg", 1000)
    sha256_of(hostile)  # in the page cache, for both measures alike
    start = time.perf_counter()
    sha256_of(hostile)
    hashing = time.perf_counter() - start  # the floor: reading the file once
    start = time.perf_counter()
    prepared = prepare(Unit(hostile, (hostile,)), StepContext(250_000_000, 10, None))
    steps = time.perf_counter() - start  # read, identify, fingerprint, metadata
    assert prepared.failed_step is None, prepared.reason
    # Linear: a few readings of the file. Pillow alone took 20 s to open it, 300 hashings.
    assert steps < 20 * hashing, f"{steps:.2f} s for what hashing reads in {hashing:.3f} s"


def test_a_jpeg_of_many_exif_segments_is_ingested_with_a_warning(run, tmp_path):
    jpeg_with_exif_segments(tmp_path / "in" / "many-segments.jpg", 40)
    _, report = run.ingest(tmp_path / "in")
    entry = outcomes(report)["many-segments.jpg"]
    assert entry["outcome"] == "created", entry
    assert entry["warnings"] == [
        "EXIF: 39 more Exif segments after the first were not read (Exif is one segment)"
    ]


HUGE_PAGE = (14400, 14400)  # points: 200 × 200 inches, 60,001 × 60,001 pixels at 300 dpi
TYPED = ["Ke hoach tuyen truyen ve quyen con nguoi nam 2024"]  # a text layer: no OCR needed


def _never_rendered(*args, **kwargs):
    raise AssertionError("the page was rendered")


@pytest.mark.parametrize("lines", [["x"], TYPED], ids=["scan", "text layer"])
def test_a_pdf_page_too_large_to_render_is_refused_from_its_size(tmp_path, monkeypatch, lines):
    import pypdfium2 as pdfium

    from archive.errors import IngestError
    from ingest.identify import identify

    poster = text_pdf(tmp_path / "poster.pdf", lines, size=HUGE_PAGE)
    assert poster.stat().st_size < 700
    monkeypatch.setattr(pdfium.PdfPage, "render", _never_rendered)
    with pytest.raises(IngestError) as caught:
        identify(poster, 250_000_000, 10)
    assert (caught.value.step, caught.value.reason) == (
        "identify",
        "page 1 is 60001×60001 pixels at 300 dpi, more than the limit of 250,000,000; "
        "refused before rendering",
    )


def test_a_pdf_page_is_measured_as_it_would_be_rendered_turned_and_cropped(tmp_path):
    from archive.errors import IngestError
    from ingest.identify import identify

    strip = text_pdf(tmp_path / "strip.pdf", TYPED, size=(14400, 100), rotate=90)
    with pytest.raises(IngestError, match=r"page 1 is 417×60001 pixels at 300 dpi"):
        identify(strip, 20_000_000, 10)
    # Only the crop box is rendered: a huge media box cropped to A4 is an A4 page.
    cropped = text_pdf(tmp_path / "cropped.pdf", TYPED, size=HUGE_PAGE, crop=(595, 842))
    assert identify(cropped, 250_000_000, 10).frames == ((2480, 3509),)


def test_an_ingest_refuses_a_tiny_pdf_of_a_huge_page_and_goes_on(run, home, tmp_path):
    inbox = tmp_path / "in"
    text_pdf(inbox / "poster.pdf", TYPED, size=HUGE_PAGE)
    text_pdf(inbox / "scan.pdf", ["x"], size=HUGE_PAGE)
    make_image(inbox / "zz-good.jpg")
    result, report = run.ingest(inbox)
    assert result.exit_code == 1, result.output
    found = outcomes(report)
    for name in ("poster.pdf", "scan.pdf"):
        assert found[name]["outcome"] == "failed"
        assert found[name]["step"] == "identify"
        assert "60001×60001 pixels at 300 dpi" in found[name]["reason"]
    assert found["zz-good.jpg"]["outcome"] == "created"
    assert db_counts(home) == {"items": 1, "masters": 1, "pages": 1}


def test_a_file_of_another_kind_is_skipped_not_failed(run, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.txt").write_text("ghi chú")
    (tmp_path / "in" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (tmp_path / "in" / "Thumbs.db").write_bytes(b"\xd0\xcf")
    make_image(tmp_path / "in" / "a.jpg")
    result, report = run.ingest(tmp_path / "in")
    assert result.exit_code == 0, result.output
    found = outcomes(report)
    assert found["notes.txt"]["outcome"] == "skipped"
    assert found["notes.txt"]["reason"] == "not a JPEG, TIFF, PNG or PDF file"
    assert found[".DS_Store"] == {
        "input": found[".DS_Store"]["input"],
        "outcome": "skipped",
        "step": "discover",
        "reason": "hidden or system file",
    }
    assert found["Thumbs.db"]["outcome"] == "skipped"


def test_a_symbolic_link_leaving_the_tree_is_not_followed(run, home, tmp_path):
    outside = make_image(tmp_path / "outside" / "secret.jpg")
    (tmp_path / "in").mkdir()
    os.symlink(outside, tmp_path / "in" / "link.jpg")
    os.symlink(tmp_path / "outside", tmp_path / "in" / "linked-folder")
    _, report = run.ingest(tmp_path / "in")
    found = outcomes(report)
    assert "outside the folders" in found["link.jpg"]["reason"]
    assert found["linked-folder"]["outcome"] == "skipped"
    assert db_counts(home)["items"] == 0


def test_names_with_spaces_newlines_and_nfd_accents_are_ingested_and_reported_in_nfc(run, tmp_path):
    inbox = tmp_path / "in"
    nfd = unicodedata.normalize("NFD", "Ảnh lễ hội Đắk Tô.jpg")
    make_image(inbox / nfd)
    make_image(inbox / "two\nlines.jpg", color=(1, 2, 3))
    (inbox / "metadata.csv").write_text(
        "file,title\n" + unicodedata.normalize("NFC", nfd) + ",Lễ hội\n", encoding="utf-8"
    )
    result, report = run.ingest(inbox)
    assert result.exit_code == 0, result.output
    names = [Path(e["input"]).name for e in report["inputs"]]
    assert unicodedata.normalize("NFC", nfd) in names and "two\nlines.jpg" in names
    by_name = outcomes(report)
    item = show(run, by_name[unicodedata.normalize("NFC", nfd)]["item"])
    assert item["title"] == {"vi": "Lễ hội"}
    assert unicodedata.is_normalized("NFC", item["masters"][0]["original_path"])


def test_names_shown_alike_are_separate_files_known_by_their_bytes_with_their_images(
    run, home, tmp_path
):
    """NFC and NFD spellings of one name (a macOS copy beside a Linux one), a Latin-1 name that
    is not UTF-8, and a name that spells that name's escape: four files, four items, each with
    its IIIF images, and a second run finds all four unchanged."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    names = [
        unicodedata.normalize("NFC", "Ảnh cà phê.jpg").encode(),
        unicodedata.normalize("NFD", "Ảnh cà phê.jpg").encode(),
        b"caf\xe9.jpg",  # Latin-1
        b"caf\\xe9.jpg",  # as `display` shows the one above
    ]
    paths = [inbox / os.fsdecode(name) for name in names]
    for n, path in enumerate(paths):
        make_image(path, size=(600, 400), color=(40 * n, 90, 160))
    result, first = run.ingest(inbox)
    assert result.exit_code == 0, result.output
    assert first["counts"] == {"created": 4}
    items = [show(run, entry["item"]) for entry in first["inputs"]]
    for item in items:
        sha256 = item["masters"][0]["sha256"]
        assert derivatives.made(home, sha256, 0), item["id"]

    result, second = run.ingest(inbox)
    assert second["counts"] == {"unchanged": 4}, second["inputs"]
    keys = {bytes(row[0]) for row in databases.query(home, "select key from sources")}
    assert keys == {os.fsencode(path.absolute()) for path in paths}


def test_the_progress_bar_on_a_terminal_names_the_file_it_is_on(home, tmp_path):
    import pty

    inbox = tmp_path / "in"
    for n, name in enumerate(["a-first.jpg", "b-second.jpg", "c-third.jpg"]):
        make_image(inbox / name, color=(n * 80, 0, 0))
    terminal, its_end = pty.openpty()
    command = [sys.executable, "-m", "archive", "--home", str(home), "ingest", str(inbox)]
    process = subprocess.Popen(
        [*command, "--workers", "1"], stdout=subprocess.PIPE, stderr=its_end, text=True
    )
    os.close(its_end)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the process has ended and closed its end
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    out, _ = process.communicate(timeout=300)
    assert process.returncode == 0, out
    bar = shown.decode()
    assert "ingesting" in bar
    for name in ("a-first.jpg", "b-second.jpg", "c-third.jpg"):
        assert name in bar, bar


def tiff_with_two_resolutions(path: Path) -> Path:
    """A TIFF whose XResolution holds two values, where one belongs: Pillow and libtiff both
    warn of it, and both read the image."""
    import struct

    make_image(path, size=(60, 40), color=128, dpi=(300, 300))
    data = bytearray(path.read_bytes())
    ifd = struct.unpack("<I", data[4:8])[0]
    for entry in range(struct.unpack("<H", data[ifd : ifd + 2])[0]):
        at = ifd + 2 + 12 * entry
        if struct.unpack("<H", data[at : at + 2])[0] == 282:  # XResolution
            data[at + 4 : at + 8] = struct.pack("<I", 2)
    path.write_bytes(bytes(data))
    return path


def test_what_image_libraries_warn_goes_to_the_report_not_to_the_terminal(home, tmp_path):
    inbox = tmp_path / "in"
    tiff_with_two_resolutions(inbox / "two-resolutions.tif")
    copy_sample("robustness/pillow/libtiff_segfault.tif", inbox)
    copy_sample("robustness/pillow/tiff_wrong_bits_per_sample.tiff", inbox)
    make_image(inbox / "plain.jpg")
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "archive", "--home", str(home), "ingest", str(inbox)]
    done = subprocess.run([*command, "--report", str(report)], capture_output=True, text=True)
    assert done.returncode == 1, done.stdout
    assert done.stderr == ""
    found = outcomes(json.loads(report.read_text(encoding="utf-8")))
    assert found["two-resolutions.tif"]["warnings"] == [
        "IPTC/XMP: Pillow warned: Metadata Warning, tag 282 had too many entries: 2, expected 1",
        'libvips: Incorrect count for "XResolution"; tag ignored',
    ]
    assert found["libtiff_segfault.tif"]["reason"] == (
        "a damaged image/tiff file: cannot be read "
        "(Pillow: More samples per pixel than can be decoded: 65535)"
    )
    assert (
        'Bogus "StripByteCounts" field' in found["tiff_wrong_bits_per_sample.tiff"]["warnings"][0]
    )
    assert "warnings" not in found["plain.jpg"]


def test_a_dry_run_reads_everything_and_writes_nothing(run, home, tmp_path):
    copy_sample(CANON, tmp_path / "in")
    copy_sample("robustness/pillow/truncated_jpeg.jpg", tmp_path / "in")
    result, report = run.ingest(tmp_path / "in", "--dry-run")
    assert result.exit_code == 1, result.output
    assert {e["outcome"] for e in report["inputs"]} == {"would-create", "failed"}
    assert report["dry_run"] is True
    assert db_counts(home) == {"items": 0, "masters": 0, "pages": 0}
    assert stored_files(home) == {}
    archive = Archive.open(home)
    with archive.session() as session:
        assert session.scalar(select(func.count(IngestEvent.id))) == 0
    archive.close()


def test_the_report_lists_every_input_with_its_outcome(run, tmp_path):
    inbox = tmp_path / "in"
    copy_sample(CANON, inbox)
    copy_sample(CANON, inbox / "copy")
    copy_sample("robustness/ocrmypdf-pdfs/invalid.pdf", inbox)
    (inbox / "readme.md").write_text("x")
    _, report = run.ingest(inbox)
    assert report["counts"] == {"created": 1, "duplicate": 1, "failed": 1, "skipped": 1}
    for entry in report["inputs"]:
        assert set(entry) <= {
            "input",
            "outcome",
            "item",
            "duplicate_of",
            "type",
            "step",
            "reason",
            "warnings",
            "row",
        }
        if entry["outcome"] in ("failed", "skipped"):
            assert entry["step"] and entry["reason"]


CSV_CASES = [
    (
        "latin-1",
        "file,title\nphoto.jpg,Café Kon Tum\n".encode("latin-1"),
        {"metadata.csv": ("failed", "not UTF-8"), "photo.jpg": ("failed", "could not be read")},
    ),
    (
        "unknown column",
        b"file,title,colour\nphoto.jpg,A,red\n",
        {"metadata.csv": ("failed", "unknown column 'colour'"), "photo.jpg": ("created", None)},
    ),
    (
        "missing file",
        b"file,title\nphoto.jpg,A\nnot-here.jpg,B\n",
        {
            "not-here.jpg": ("failed", "names it, but it is not there"),
            "photo.jpg": ("created", None),
        },
    ),
    (
        "bad date",
        b"file,title,date\nphoto.jpg,A,30/04/1975\n",
        {"photo.jpg": ("failed", "row 2: date: '30/04/1975' is not an EDTF date")},
    ),
    (
        "too many values",
        b"file,title\nphoto.jpg,A,B\n",
        {"photo.jpg": ("failed", "row 2: more values than columns")},
    ),
    (
        "no file column",
        b"name,title\nphoto.jpg,A\n",
        {"metadata.csv": ("failed", "no `file` column")},
    ),
    (
        "escaping path",
        b"file,title\n../photo.jpg,A\nphoto.jpg,B\n",
        {
            "metadata.csv": ("failed", "not a path inside this folder"),
            "photo.jpg": ("created", None),
        },
    ),
]


@pytest.mark.parametrize(("case", "content", "expected"), CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_a_malformed_metadata_csv_is_reported_and_the_rest_goes_on(
    run, tmp_path, case, content, expected
):
    inbox = tmp_path / "in"
    make_image(inbox / "photo.jpg")
    (inbox / "metadata.csv").write_bytes(content)
    result, report = run.ingest(inbox)
    assert result.exit_code == 1, result.output
    found = outcomes(report)
    for name, (outcome, reason) in expected.items():
        assert found[name]["outcome"] == outcome, found[name]
        if reason:
            assert reason in found[name]["reason"]


def test_a_bad_row_is_named_by_its_row_number(run, tmp_path):
    inbox = tmp_path / "in"
    for n in range(3):
        make_image(inbox / f"p{n}.jpg", color=(n * 50, 0, 0))
    (inbox / "metadata.csv").write_text(
        "file,title,access\np0.jpg,A,public\np1.jpg,B,secret\np2.jpg,C,public\n"
    )
    _, report = run.ingest(inbox)
    found = outcomes(report)
    assert found["p1.jpg"]["reason"].endswith(
        "row 3: access: 'secret' must be public or restricted"
    )
    assert found["p0.jpg"]["outcome"] == found["p2.jpg"]["outcome"] == "created"


def test_a_fixed_csv_lets_the_next_run_ingest_what_it_held_back(run, tmp_path):
    inbox = tmp_path / "in"
    make_image(inbox / "photo.jpg")
    (inbox / "metadata.csv").write_bytes("file,title\nphoto.jpg,Lễ\n".encode("utf-16"))
    run.ingest(inbox)
    (inbox / "metadata.csv").write_text("file,title\nphoto.jpg,Lễ\n", encoding="utf-8")
    result, report = run.ingest(inbox)
    assert result.exit_code == 0, result.output
    assert show(run, report["inputs"][0]["item"])["title"] == {"vi": "Lễ"}


def test_an_explicit_metadata_file_describes_files_below_its_folder(run, tmp_path):
    make_image(tmp_path / "scans" / "a.jpg")
    sheet = tmp_path / "scans" / "descriptions.csv"
    sheet.write_text("file,title\na.jpg,Ảnh A\n", encoding="utf-8")
    result, report = run.ingest(tmp_path / "scans" / "a.jpg", "--metadata", sheet)
    assert result.exit_code == 0, result.output
    assert show(run, report["inputs"][0]["item"])["title"] == {"vi": "Ảnh A"}


def test_the_collection_option_files_items_in_a_hierarchy(run, tmp_path):
    make_image(tmp_path / "in" / "a.jpg")
    _, report = run.ingest(tmp_path / "in", "--collection", "ubnd-tinh/1975/ho-so-01")
    assert show(run, report["inputs"][0]["item"])["collection"] == "ubnd-tinh/1975/ho-so-01"
    result, _ = run.ingest(tmp_path / "in", "--collection", "Bad Slug")
    assert result.exit_code == 2
    assert "lowercase letters" in result.output


def test_a_missing_path_is_reported(run, tmp_path):
    result, report = run.ingest(tmp_path / "nowhere")
    assert result.exit_code == 1
    assert report["inputs"][0]["reason"] == "no such file or folder"


def test_exif_with_garbage_values_keeps_the_photo_and_warns_of_what_was_dropped(run, tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0112] = 9  # no such orientation
    exif.get_ifd(0x8769)[0x9003] = "0000:00:00 00:00:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (95.0, 0.0, 0.0)  # no such latitude
    gps[3], gps[4] = "E", (108.0, 0.0, 0.0)
    path = tmp_path / "in" / "garbage.jpg"
    path.parent.mkdir()
    Image.new("RGB", (40, 30), (9, 9, 9)).save(path, exif=exif)
    result, report = run.ingest(tmp_path / "in")
    assert result.exit_code == 1, result.output
    [entry] = report["inputs"]
    assert entry["outcome"] == "created"
    warnings = " | ".join(entry["warnings"])
    assert "'0000:00:00 00:00:00' is not a date" in warnings
    assert "latitude" in warnings.lower() and "orientation" in warnings.lower()
    item = show(run, entry["item"])
    assert (item["date"], item["latitude"], item["type"]) == (None, None, "photo")
    assert "warning" in result.output
