"""The dashboard's lists of what needs review, chosen by the database on SQLite and PostgreSQL:
titles that are only a file name (its name, its stem or its folder's, as ingest gives them),
items with no date, a page of them at a time with the count of all."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from archive import items, worklist
from archive.home import Archive
from tests.conftest import make_image, outcomes


@pytest.fixture
def ingested(run, tmp_path) -> dict[str, str]:
    """Photos titled by their file names (one with a dot in its name), a folder of pages
    titled by the folder's name, and a photo given a title of its own."""
    folder = tmp_path / "in"
    for n, name in enumerate(("IMG_0042.jpg", "anh_1975.v2.png", "Kon Tum 1.jpg", "named.jpg")):
        make_image(folder / name, color=(40 * n, 90, 160))
    make_image(folder / "ho-so" / "page-1.png", color=(0, 0, 200))
    make_image(folder / "ho-so" / "page-2.png", color=(0, 90, 200))
    (folder / "ho-so" / "item.yaml").write_text("type: document\n", encoding="utf-8")
    (folder / "metadata.csv").write_text("file,title\nnamed.jpg,Nhà rông\n", encoding="utf-8")
    result, report = run.ingest(folder)
    assert result.exit_code == 0, result.output
    return {name: entry["item"] for name, entry in outcomes(report).items()}


def _listed(home, listing, **options) -> worklist.Listed:
    archive = Archive.open(home)
    try:
        with archive.session() as session:
            return listing(session, **options)
    finally:
        archive.close()


def test_titles_that_are_only_a_file_name_are_found_by_the_database(run, home, ingested):
    found = _listed(home, worklist.file_named)
    ids = {row.accession_id for row in found.rows}
    expected = {ingested[n] for n in ("IMG_0042.jpg", "anh_1975.v2.png", "Kon Tum 1.jpg", "ho-so")}
    assert ids == expected and found.count == 4
    titles = {row.accession_id: row.title for row in found.rows}
    assert titles[ingested["anh_1975.v2.png"]] == {"vi": PurePosixPath("anh_1975.v2.png").stem}
    assert titles[ingested["ho-so"]] == {"vi": "ho-so"}
    run("item", "set", ingested["IMG_0042.jpg"], "title=IMG_0042.jpg")  # the name, extension too
    run("item", "set", ingested["Kon Tum 1.jpg"], "title_en=Kon Tum 1")  # a second language
    run("item", "set", ingested["ho-so"], "title=Hồ sơ họp thôn")
    found = _listed(home, worklist.file_named)
    assert {row.accession_id for row in found.rows} == {
        ingested["IMG_0042.jpg"],
        ingested["anh_1975.v2.png"],
    }


def test_each_list_is_paged_with_the_count_of_all(run, home, ingested, monkeypatch):
    monkeypatch.setattr(worklist, "LIMIT", 2)
    first = _listed(home, worklist.undated)
    second = _listed(home, worklist.undated, page=2)
    third = _listed(home, worklist.undated, page=3)
    assert first.count == second.count == third.count == 5 and first.pages == 3
    assert [len(p.rows) for p in (first, second, third)] == [2, 2, 1]
    every = [row.accession_id for p in (first, second, third) for row in p.rows]
    assert sorted(every) == sorted(ingested.values()) == every
    assert _listed(home, worklist.undated, page=4).rows == []
    named = [_listed(home, worklist.file_named, page=n) for n in (1, 2)]
    assert [len(p.rows) for p in named] == [2, 2] and named[1].page == 2
    archive = Archive.open(home)
    try:
        with archive.change("item set", by="test") as work:
            items.edit(work, ingested["named.jpg"], {"date": "1975"}, "vi")
    finally:
        archive.close()
    assert _listed(home, worklist.undated).count == 4
