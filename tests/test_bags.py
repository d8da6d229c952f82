"""`archive export bag` and bags given to `archive ingest`: BagIt 1.0 bags that pass the bagit
library's full validation, with the masters as ingested, texts, Dublin Core, the record and the
manifest; a damaged bag refused whole, naming the file that fails; a round trip through a bag
gives the same record in another archive."""

from __future__ import annotations

import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET

import bagit
import pytest
from click.testing import CliRunner

from archive import bags
from tests.conftest import Cli, make_image, outcomes

SHEET = (
    "file,title,title_en,description,creator,date,subject,latitude,longitude,language,access\n"
    "a.jpg,Lễ hội cồng chiêng,Gong festival,Ở làng Kon Klor,Nguyễn Văn A,1995,lễ hội;cồng chiêng,"
    "14.35,108.0,vie;bdq,public\n"
    "b.jpg,Hồ sơ mật,,,,,,,,,restricted\n"
)
DESCRIPTIVE = ("type", "title", "description", "date", "creator", "place", "latitude")
DESCRIPTIVE += ("longitude", "subjects", "rights", "access", "languages", "collection")


@pytest.fixture
def held(run, tmp_path):
    folder = tmp_path / "in"
    make_image(folder / "a.jpg", size=(120, 80), color=(200, 0, 0))
    make_image(folder / "b.jpg", size=(120, 80), color=(0, 200, 0))
    pages = folder / "bien-ban"
    make_image(pages / "page-1.png", size=(300, 200), color=(250, 250, 250))
    make_image(pages / "page-2.png", size=(300, 200), color=(240, 240, 240))
    (pages / "item.yaml").write_text(
        "title: {vi: Biên bản họp, en: Minutes}\ntype: document\ndate: 1975-04\n",
        encoding="utf-8",
    )
    (folder / "metadata.csv").write_text(SHEET, encoding="utf-8")
    result, report = run.ingest(folder, "--collection", "kon-tum/anh")
    assert result.exit_code == 0, result.output
    return {name: entry["item"] for name, entry in outcomes(report).items()}


def show(cli, accession_id: str) -> dict:
    return json.loads(cli("item", "show", accession_id, "--json").output)


@pytest.fixture
def elsewhere(tmp_path) -> Cli:
    """Another archive, empty, to take bags into."""
    cli = Cli(CliRunner(), tmp_path / "other", tmp_path / "other-run")
    (tmp_path / "other-run").mkdir()
    assert cli("init").exit_code == 0
    return cli


def test_an_item_s_bag_is_valid_bagit_1_0_with_all_the_item_takes(run, held, tmp_path):
    a = held["a.jpg"]
    result = run("export", "bag", a, "--out", tmp_path / "bags")
    assert result.exit_code == 0, result.output
    path = tmp_path / "bags" / a
    bag = bagit.Bag(str(path))
    bag.validate()  # every file against the manifest, nothing missing, nothing added
    assert bag.version_info == (1, 0)
    assert set(bag.algorithms) == {"sha256", "sha512"}
    assert sorted(p.name for p in path.iterdir()) == [
        "bag-info.txt",
        "bagit.txt",
        "data",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
    ]
    assert (path / "bagit.txt").read_bytes() == (
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    )
    payload = [p for p in (path / "data").rglob("*") if p.is_file()]
    oxum = f"{sum(p.stat().st_size for p in payload)}.{len(payload)}"
    assert bag.info["Payload-Oxum"] == oxum
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", bag.info["Bagging-Date"])
    assert bag.info["Source-Organization"] == [
        "Lưu trữ lịch sử tỉnh Kon Tum",
        "Kon Tum Provincial Archives",
    ]
    assert bag.info["External-Identifier"] == a
    assert bag.info["Bag-Group-Identifier"] == "kon-tum/anh"
    record = show(run, a)
    master = record["masters"][0]
    assert (path / "data" / "masters" / "a.jpg").read_bytes() == (
        run.home / master["stored_path"]
    ).read_bytes()
    assert bag.entries["data/masters/a.jpg"]["sha256"] == master["sha256"]
    stored = (run.home / master["stored_path"]).read_bytes()
    assert bag.entries["data/masters/a.jpg"]["sha512"] == hashlib.sha512(stored).hexdigest()
    assert json.loads((path / "data" / "record.json").read_text(encoding="utf-8")) == record
    dc = ET.parse(path / "data" / "dc.xml").getroot()
    titles = {
        t.get("{http://www.w3.org/XML/1998/namespace}lang"): t.text
        for t in dc.iter("{http://purl.org/dc/elements/1.1/}title")
    }
    assert titles == {"vi": "Lễ hội cồng chiêng", "en": "Gong festival"}
    manifest = json.loads((path / "data" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["id"] == f"http://localhost:8000/iiif/items/{a}/manifest.json"


def test_a_document_s_bag_keeps_its_pages_texts_and_hocr(run, held, tmp_path):
    document = held["bien-ban"]
    assert run("export", "bag", document, "--out", tmp_path / "bags").exit_code == 0
    data = tmp_path / "bags" / document / "data"
    assert sorted(p.name for p in (data / "masters").iterdir()) == ["page-1.png", "page-2.png"]
    record = show(run, document)
    for page in record["pages"]:
        assert (data / "ocr" / f"page-{page['number']}.txt").read_text(encoding="utf-8") == (
            page["text"]["text"]
        )
        assert "ocr_page" in (data / "ocr" / f"page-{page['number']}.hocr").read_text("utf-8")


def test_a_bag_with_one_flipped_byte_is_refused_naming_the_file(run, held, tmp_path, elsewhere):
    a = held["a.jpg"]
    assert run("export", "bag", a, "--out", tmp_path / "bags").exit_code == 0
    master = tmp_path / "bags" / a / "data" / "masters" / "a.jpg"
    damaged = bytearray(master.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    master.write_bytes(bytes(damaged))
    result, report = elsewhere.ingest(tmp_path / "bags" / a)
    assert result.exit_code == 1
    [entry] = report["inputs"]
    assert entry["outcome"] == "failed" and entry["step"] == "bag"
    assert "data/masters/a.jpg (sha256 does not match)" in entry["reason"]
    assert elsewhere("item", "list", "--json").output.count('"id"') == 0  # nothing taken


def test_a_master_changed_since_ingest_is_not_bagged_and_the_rest_are(run, held, tmp_path):
    a = held["a.jpg"]
    stored = run.home / show(run, a)["masters"][0]["stored_path"]
    os.chmod(stored, 0o644)  # masters are kept read-only
    damaged = bytearray(stored.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    stored.write_bytes(bytes(damaged))
    out = tmp_path / "bags"
    result = run("export", "bag", a, "--out", out)
    assert result.exit_code == 1
    assert f"{stored}: its SHA-256 is" in result.output
    assert "has changed since" in result.output
    assert list(out.iterdir()) == []  # neither the bag nor what was written of it
    # with --all, every other item's bag is written, whole
    result = run("export", "bag", "--all", "--out", out)
    assert result.exit_code == 1 and str(stored) in result.output
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(i for i in held.values() if i != a)
    for name in written:
        bagit.Bag(str(out / name)).validate()


def test_manifest_paths_encode_line_breaks_and_keep_a_percent_sign():
    digests = {"data/b%.txt": "2" * 64, "data/a\r\nb.txt": "1" * 64}
    assert bags._lines(digests).decode() == (
        f"{'1' * 64}  data/a%0D%0Ab.txt\n{'2' * 64}  data/b%.txt\n"
    )


def test_a_master_named_with_a_percent_sign_makes_a_bag_the_bagit_library_accepts(run, tmp_path):
    make_image(tmp_path / "in" / "tỉ lệ 50%.jpg", size=(60, 40))
    result, report = run.ingest(tmp_path / "in")
    assert result.exit_code == 0, result.output
    [accession_id] = [entry["item"] for entry in report["inputs"]]
    assert run("export", "bag", accession_id, "--out", tmp_path / "bags").exit_code == 0
    bag = tmp_path / "bags" / accession_id
    bagit.Bag(str(bag)).validate()
    assert "data/masters/tỉ lệ 50%.jpg" in (bag / "manifest-sha256.txt").read_text("utf-8")


def test_a_round_trip_through_bags_gives_the_same_records(run, held, tmp_path, elsewhere):
    assert run("export", "bag", "--all", "--out", tmp_path / "bags").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "bags").iterdir()) == sorted(held.values())
    result, report = elsewhere.ingest(tmp_path / "bags")
    assert result.exit_code == 0, result.output
    taken = {entry["input"].split("/")[-2]: entry["item"] for entry in report["inputs"]}
    assert len(taken) == 3
    for accession_id, again in taken.items():
        before, after = show(run, accession_id), show(elsewhere, again)
        assert {k: before[k] for k in DESCRIPTIVE} == {k: after[k] for k in DESCRIPTIVE}
        assert [m["sha256"] for m in before["masters"]] == [m["sha256"] for m in after["masters"]]


def test_a_collection_s_bag_holds_each_item_in_its_own_folder(run, held, tmp_path, elsewhere):
    result = run("export", "bag", "--collection", "kon-tum", "--out", tmp_path / "bags")
    assert result.exit_code == 0, result.output
    path = tmp_path / "bags" / "kon-tum"
    bag = bagit.Bag(str(path))
    bag.validate()
    assert bag.info["Bag-Group-Identifier"] == "kon-tum"
    assert sorted(p.name for p in (path / "data").iterdir()) == sorted(held.values())
    result, report = elsewhere.ingest(path)
    assert result.exit_code == 0, result.output
    assert sorted(entry["outcome"] for entry in report["inputs"]) == ["created"] * 3


def test_export_bag_takes_items_or_a_collection_or_all(run, held, tmp_path):
    out = ["--out", tmp_path / "bags"]
    assert run("export", "bag", *out).exit_code == 2
    assert run("export", "bag", held["a.jpg"], "--all", *out).exit_code == 2
    missing = run("export", "bag", "KT-1900-000001", *out)
    assert missing.exit_code != 0 and "no item KT-1900-000001" in missing.output


def test_an_item_whose_images_are_yet_to_be_made_is_bagged_without_a_manifest(tmp_path):
    home = tmp_path / "home"
    cli = Cli(CliRunner(), home, tmp_path)
    assert cli("init").exit_code == 0
    (home / "archive.toml").write_text("images_at_ingest = false\n", encoding="utf-8")
    make_image(tmp_path / "in" / "a.jpg")
    result, report = cli.ingest(tmp_path / "in")
    assert result.exit_code == 0, result.output
    item = report["inputs"][0]["item"]
    result = cli("export", "bag", item, "--out", tmp_path / "bags")
    assert result.exit_code == 0, result.output
    bagit.Bag(str(tmp_path / "bags" / item)).validate()
    assert not (tmp_path / "bags" / item / "data" / "manifest.json").exists()
