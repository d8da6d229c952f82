"""An archive on PostgreSQL searching with PostgreSQL's own full-text search
(`search_engine = "postgresql"`): every unit of work writes its items' search documents in its
own transaction, so a search sees a change, a withdrawal or a restriction as soon as it is
committed, and never a change that was rolled back. (What a search answers is tested on both
engines in test_search_service.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import items, withdrawal
from archive.errors import InvalidInput
from archive.home import Archive
from search_index.engines import open_index
from search_index.postgresql import DatabaseIndex
from tests import databases
from tests.conftest import Cli, make_image

pytestmark = pytest.mark.database("postgresql")


@pytest.fixture
def home(tmp_path: Path, database: databases.Database) -> Path:
    path = database.prepare(tmp_path / "home")
    with open(path / "archive.toml", "a", encoding="utf-8") as settings_file:
        settings_file.write('search_engine = "postgresql"\n')
    Archive.create(path).close()
    return path


@pytest.fixture
def photo(run: Cli, tmp_path: Path) -> str:
    make_image(tmp_path / "in" / "anh.jpg", size=(120, 80))
    (tmp_path / "in" / "metadata.csv").write_text(
        "file,title,access\nanh.jpg,Nhà rông làng Kon Klor,public\n", encoding="utf-8"
    )
    result, report = run.ingest(tmp_path / "in")
    assert result.exit_code == 0, result.output
    return report["inputs"][0]["item"]


def found(archive: Archive, query: str, public_only: bool = True) -> list[str]:
    with open_index(archive) as index:
        return [hit.id for hit in index.search(query, public_only=public_only).hits]


def test_the_archive_searches_in_its_database_and_an_ingest_is_found(archive, photo):
    with open_index(archive) as index:
        assert isinstance(index, DatabaseIndex)
        assert index.count() == 1
    assert not (archive.home / "index" / "CURRENT").exists()  # no Whoosh index was made
    assert found(archive, "nha rong kon klor") == [photo]


def test_an_edit_a_restriction_and_a_withdrawal_are_seen_by_the_next_search(archive, photo):
    with archive.change("item set", by="lan") as work:
        items.edit(work, photo, {"title": "Trường học ở Đắk Glei"}, "vi")
    assert found(archive, "truong hoc dak glei") == [photo]
    assert found(archive, "kon klor") == []
    with archive.change("item set", by="lan") as work:
        items.edit(work, photo, {"access": "restricted"}, "vi")
    assert found(archive, "truong hoc") == []
    with open_index(archive) as index:
        assert index.search("", facets=True).facets["type"] == []  # not counted either
    assert found(archive, "truong hoc", public_only=False) == [photo]
    with archive.change("item withdraw", by="lan") as work:
        withdrawal.withdraw(work, photo, "Trùng lặp")
    assert found(archive, "truong hoc", public_only=False) == []
    with archive.change("item restore", by="lan") as work:
        withdrawal.restore(work, photo)
    assert found(archive, "truong hoc", public_only=False) == [photo]


def test_a_unit_of_work_that_fails_leaves_the_index_as_it_was(archive, photo):
    with open_index(archive) as index:
        before = index.version()
    with pytest.raises(InvalidInput), archive.change("item set", by="lan") as work:
        items.edit(work, photo, {"title": "Một tên khác"}, "vi")
        items.edit(work, photo, {"access": "secret"}, "vi")
    assert found(archive, "mot ten khac") == []
    assert found(archive, "kon klor") == [photo]
    with open_index(archive) as index:
        assert index.version() == before


def test_archive_reindex_fills_the_index_and_the_check_agrees(archive, photo, run):
    with archive.engine.begin() as connection:  # as an archive that has just chosen the engine
        connection.exec_driver_sql("DELETE FROM search_documents")
    result = run("reindex", "--check")
    assert result.exit_code == 1 and f"missing  {photo}" in result.output
    result = run("reindex")
    assert result.exit_code == 0, result.output
    assert "1 items indexed" in result.output
    result = run("reindex", "--check")
    assert result.exit_code == 0 and "index and database agree" in result.output
    result = run("search", "kon klor")
    assert photo in result.output


def test_the_catalogue_searches_the_database(home, photo):
    from catalogue.app import create_app

    app = create_app(home)
    try:
        page = app.test_client().get("/search?q=nha+rong").get_data(as_text=True)
        assert f"/items/{photo}" in page
        assert isinstance(app.extensions["search"], DatabaseIndex)
    finally:
        app.extensions["archive"].close()


def test_a_rebuild_replaces_every_document_and_one_that_fails_leaves_the_old_answering(
    database,
):
    from archive import db
    from tests.test_search_service import doc

    engine = db.make_engine(database.new_schema(migrated=True))
    index = DatabaseIndex(engine)
    try:
        for n in range(3):  # each in a new table, indexed as the one before
            assert index.rebuild([doc(f"A{n}", "Bản một"), doc("B", "Bản hai")]) == 2
        index.update([doc("B", "Bản ba")])  # the id is still unique
        assert index.versions().keys() == {"A2", "B"}
        assert [hit.id for hit in index.search("bản ba").hits] == ["B"]

        def failing():
            yield doc("C", "Bản bốn")
            raise RuntimeError("database went away")

        with pytest.raises(RuntimeError, match="went away"):
            index.rebuild(failing())
        assert index.versions().keys() == {"A2", "B"}
        with pytest.raises(InvalidInput, match="given twice"):
            index.rebuild([doc("D", "Một"), doc("D", "Hai")])
        assert index.count() == 2
    finally:
        engine.dispose()
