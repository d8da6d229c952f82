"""IIIF images made at ingest, and made again by `archive derivatives`."""

from __future__ import annotations

import json
import shutil

from PIL import Image

from archive import derivatives, items
from archive.home import Archive
from demo.samples import make_photo


def _folders(home, accession_id: str) -> list:
    archive = Archive.open(home)
    try:
        with archive.session() as session:
            item = items.find(session, accession_id)
            return [derivatives.folder(home, p.master.sha256, p.frame) for p in item.pages]
    finally:
        archive.close()


def test_ingest_makes_the_images_of_every_page(run, home, tmp_path):
    make_photo(tmp_path / "in" / "anh.jpg", width=1100, height=700, orientation=6)
    pages = [Image.new("L", (300, 400), 255 - 40 * n) for n in range(3)]
    pages[0].save(tmp_path / "in" / "ho-so.tif", save_all=True, append_images=pages[1:])
    _, report = run.ingest(tmp_path / "in", "--type", "photo")
    ids = {entry["input"].rsplit("/", 1)[-1]: entry["item"] for entry in report["inputs"]}
    [photo] = _folders(home, ids["anh.jpg"])
    info = json.loads((photo / "info.json").read_text())
    assert (info["width"], info["height"]) == (700, 1100)  # EXIF orientation 6: upright
    document = _folders(home, ids["ho-so.tif"])
    assert len(document) == 3 and all((f / "info.json").exists() for f in document)


def test_derivatives_makes_them_again(run, home, tmp_path):
    make_photo(tmp_path / "in" / "anh.jpg", width=800, height=600)
    _, report = run.ingest(tmp_path / "in")
    accession = report["inputs"][0]["item"]
    [folder] = _folders(home, accession)
    shutil.rmtree(folder)
    result = run("derivatives", accession)
    assert result.exit_code == 0, result.output
    assert "1 pages made, 0 failed" in result.output
    assert (folder / "info.json").exists() and (folder / "full/max/0/default.jpg").exists()
    shutil.rmtree(folder)
    assert run("derivatives", "--all").exit_code == 0
    assert (folder / "info.json").exists()


def test_derivatives_wants_items_or_all_and_knows_its_items(run):
    assert run("derivatives").exit_code == 2
    assert run("derivatives", "--all", "KT-2024-000001").exit_code == 2
    result = run("derivatives", "KT-1999-000042")
    assert result.exit_code != 0 and "no item KT-1999-000042" in result.output


def test_a_page_whose_master_is_damaged_is_named_and_the_others_are_made(run, home, tmp_path):
    for n in range(2):
        make_photo(tmp_path / "in" / f"anh-{n}.jpg", width=640, height=480, seed=n)
    _, report = run.ingest(tmp_path / "in")
    first, second = (entry["item"] for entry in report["inputs"])
    [broken] = _folders(home, first)
    archive = Archive.open(home)
    with archive.session() as session:
        stored = home / items.find(session, first).pages[0].master.stored_path
    archive.close()
    stored.chmod(0o644)
    stored.write_bytes(stored.read_bytes()[:2000])  # the master damaged on disk
    result = run("derivatives", first, second)
    assert result.exit_code == 1
    assert f"failed   {first} page 1:" in result.output
    assert "1 pages made, 1 failed" in result.output
    assert broken.exists()  # the images made before are kept, not half-replaced


def test_images_can_be_left_to_later(runner, home, tmp_path):
    from archive.cli import cli

    make_photo(tmp_path / "in" / "anh.jpg", width=800, height=600)
    env = {"ARCHIVE_IMAGES_AT_INGEST": "false"}
    args = ["--home", str(home), "ingest", str(tmp_path / "in"), "--workers", "1"]
    assert runner.invoke(cli, args, env=env).exit_code == 0
    assert not list((home / "derivatives").rglob("info.json"))
    count = _changes(home)
    assert runner.invoke(cli, ["--home", str(home), "derivatives", "--all"]).exit_code == 0
    assert len(list((home / "derivatives").rglob("info.json"))) == 1
    # no row changed, but the catalogue must make its kept pages again: they show the images
    assert _changes(home) > count


def _changes(home) -> int:
    from tests import databases

    return databases.query(home, "SELECT count FROM changes")[0][0]
