"""The models and the Alembic migrations describe the same schema."""

import os
import unicodedata
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from archive import db
from archive.models import Base


def old_database(database, tmp_path: Path):
    """An engine on an empty database of `database`'s kind, to be migrated step by step."""
    if database.name == "postgresql":
        return db.make_engine(database.new_schema())
    return db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")


def database_with_an_item(database, tmp_path: Path, revision: str):
    """An engine on a database of `database`'s kind migrated to `revision`, holding one public
    item (KT-2020-000001), and the Alembic config that migrated it."""
    from alembic import command
    from sqlalchemy import text

    engine = old_database(database, tmp_path)
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.execute(
            text(
                "insert into items (id, accession_id, type, content_hash, title, description, "
                "subjects, rights, access, languages, technical, created_at, updated_at) values "
                "(1, 'KT-2020-000001', 'photo', 'h', '{}', '{}', '[]', 'r', 'public', '[]', "
                "'{}', '2020-01-01', '2020-01-01')"
            )
        )
    return engine, config


# Tables the models do not describe: the PostgreSQL search engine's, on PostgreSQL alone
SEARCH_TABLES = {"search_documents", "search_generation"}


def test_the_migrations_build_exactly_the_schema_of_the_models(archive):
    with archive.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    removed = {d[1].name for d in differences if d[0] == "remove_table"}
    indexes = [d for d in differences if d[0] == "remove_index"]
    assert {d[1].table.name for d in indexes} <= SEARCH_TABLES  # with their tables
    assert [d for d in differences if d[0] not in ("remove_table", "remove_index")] == []
    on_postgresql = archive.engine.dialect.name == "postgresql"
    assert removed == tables & SEARCH_TABLES == (SEARCH_TABLES if on_postgresql else set())
    assert db.current_revision(archive.engine) == db.head_revision() == db.SCHEMA_REVISION


def test_an_archive_made_with_the_first_schema_is_upgraded_with_its_items(database, tmp_path):
    from sqlalchemy import select, text

    engine, _config = database_with_an_item(database, tmp_path, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "insert into masters values (1, 's', 1, 'image/jpeg', 'a.jpg', 'a.jpg', 'm', "
                "'2020-01-01')"
            )
        )
        connection.execute(text("insert into pages values (1, 1, 1, 1, 0, 10, 10)"))
    db.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("select rotation, ocr_status from pages")).one() == (0, None)
        items = Base.metadata.tables["items"]  # JSON read as the models read it
        titles = connection.execute(select(items.c.accession_id, items.c.title)).all()
        assert [tuple(row) for row in titles] == [("KT-2020-000001", {})]
        assert connection.execute(text("select count(*) from jobs")).scalar() == 0  # 0012
    assert db.current_revision(engine) == db.SCHEMA_REVISION
    engine.dispose()


def test_an_archive_home_given_as_a_relative_path_opens(database, tmp_path, monkeypatch):
    """As `make demo` gives it (`demo-data/archive`): the schema check reads the file by URI."""
    from archive.home import Archive

    monkeypatch.chdir(tmp_path)
    Archive.create(database.prepare(Path("relative/home"))).close()
    opened = Archive.open(Path("relative/home"))
    try:
        assert db.current_revision(opened.engine) == db.SCHEMA_REVISION
    finally:
        opened.close()


@pytest.mark.database("sqlite")  # SQLite's triggers, read from its own file
def test_the_triggers_that_counted_changes_are_gone_once_the_unit_of_work_counts(archive):
    """The unit of work raises the count of changes itself, on any database (archive.work)."""
    import sqlite3

    with sqlite3.connect(archive.home / "archive.db") as database:
        triggers = database.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        assert triggers.fetchall() == []


def test_sources_known_by_their_text_are_upgraded_to_be_known_by_their_bytes(database, tmp_path):
    """A file registered before keeps being recognised: its key is its text's UTF-8, which is
    what the file system gives for a name in NFC UTF-8. Down again, one row per text."""
    from alembic import command
    from sqlalchemy import text

    engine, config = database_with_an_item(database, tmp_path, "0004")
    with engine.begin() as connection:
        connection.execute(
            text("insert into sources values ('/scans/Ảnh lễ hội.jpg', 10, 20, 'h', 1)")
        )
    db.upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(text("select key, path, size, mtime_ns, item_id from sources"))
        assert row.one() == (
            os.fsencode("/scans/Ảnh lễ hội.jpg"),
            "/scans/Ảnh lễ hội.jpg",
            10,
            20,
            1,
        )
    with engine.begin() as connection:
        nfd = unicodedata.normalize("NFD", "/scans/Ảnh lễ hội.jpg")
        connection.execute(
            text("insert into sources values (:key, :path, 11, 21, 'h', 1)"),
            {"key": nfd.encode(), "path": "/scans/Ảnh lễ hội.jpg"},
        )
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    with engine.connect() as connection:
        rows = connection.execute(text("select path, size from sources")).all()
    assert [tuple(row) for row in rows] == [("/scans/Ảnh lễ hội.jpg", 10)]
    engine.dispose()


def test_items_public_before_the_log_of_public_changes_are_logged_as_made_public(tmp_path):
    """Migration 0008: harvesters see every item already public, at its last change, and never
    a restricted one."""
    from alembic import command
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
        for n, access in ((1, "public"), (2, "restricted")):
            connection.execute(
                text(
                    "insert into items (id, accession_id, type, content_hash, title, "
                    "description, subjects, rights, access, languages, technical, created_at, "
                    f"updated_at) values ({n}, 'KT-2020-00000{n}', 'photo', 'h{n}', '{{}}', "
                    f"'{{}}', '[]', 'r', '{access}', '[]', '{{}}', '2020-01-01', "
                    "'2020-01-02 03:04:05.000000')"
                )
            )
    db.upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text("select kind, target, activity, at, latest from public_changes")
        ).all()
    assert [tuple(row) for row in rows] == [
        ("item", "KT-2020-000001", "create", "2020-01-02 03:04:05.000000", 1)
    ]
    engine.dispose()


def test_an_archive_with_items_gains_the_search_tables_on_postgresql_alone(database, tmp_path):
    """0012: the PostgreSQL engine's table, empty until `archive reindex`; the items untouched."""
    from sqlalchemy import text

    engine, _config = database_with_an_item(database, tmp_path, "0011")
    db.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("select accession_id from items")).scalars().all() == [
            "KT-2020-000001"
        ]
        tables = set(inspect(connection).get_table_names()) & SEARCH_TABLES
        if database.name == "postgresql":
            assert tables == SEARCH_TABLES
            assert connection.execute(text("select count(*) from search_documents")).scalar() == 0
        else:
            assert tables == set()
    assert db.current_revision(engine) == db.SCHEMA_REVISION
    engine.dispose()
