"""The databases the tests run on: SQLite (the archive home's own file) and the machine's
PostgreSQL, where each test has a schema of its own, made before it and dropped after it.

`pytest --db=sqlite,postgresql` (the default) runs every test that uses an archive on both;
`--db=sqlite` or `--db=postgresql` on one. The server is `TEST_POSTGRESQL_URL` (a SQLAlchemy
URL), by default the `test` database on 127.0.0.1:5432, as every machine of the project has it."""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from archive import settings
from archive.models import Base

DATABASES = ("sqlite", "postgresql")
SERVER = os.environ.get("TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def chosen(config: pytest.Config) -> list[str]:
    names = [name.strip() for name in config.getoption("db").split(",") if name.strip()]
    unknown = set(names) - set(DATABASES)
    if unknown or not names:
        raise pytest.UsageError(f"--db takes {', '.join(DATABASES)} (comma-separated)")
    return names


def for_test(config: pytest.Config, marker: pytest.Mark | None) -> list[str]:
    """The databases a test runs on: those chosen, less those its `database` marker leaves out
    (a test of the home's SQLite file itself)."""
    names = chosen(config)
    return [name for name in names if marker is None or name in marker.args]


def _conninfo() -> str:
    """SERVER as libpq takes it (without SQLAlchemy's driver name)."""
    return SERVER.replace("postgresql+psycopg://", "postgresql://", 1)


class Database:
    """One of the databases the tests run on. `prepare(home)` names, in a new archive home's
    settings, a database of its own for it: on PostgreSQL a new schema (all dropped by
    `drop()`), on SQLite the home's own file, as `archive init` makes it."""

    def __init__(self, name: str):
        self.name = name
        self.schemas: list[str] = []

    def __repr__(self) -> str:
        return self.name

    def prepare(self, home: Path) -> Path:
        # A schema already at the newest migration: `archive init` finds it up to date. Running
        # the migrations takes ~2 s a home on PostgreSQL, copying their result ~0.1 s; the
        # migrations themselves are tested on PostgreSQL in test_migrations.
        if self.name == "postgresql":
            home.mkdir(parents=True, exist_ok=True)
            with open(home / "archive.toml", "a", encoding="utf-8") as settings_file:
                settings_file.write(f'database_url = "{self.new_schema(migrated=True)}"\n')
        return home

    def new_schema(self, migrated: bool = False) -> str:
        """The URL of a new schema, whose connections have it as their search path: empty, or
        `migrated` to the newest migration (as a copy of one the migrations made)."""
        name = _new_name()
        with psycopg.connect(_conninfo(), autocommit=True) as connection:
            if migrated:
                connection.execute(_migrated_schema_sql().replace(TEMPLATE_NAME, name))
            else:
                connection.execute(f'CREATE SCHEMA "{name}"')
        self.schemas.append(name)
        return _url(name)

    def copy_home(self, source: Path, to: Path) -> Path:
        """A copy of the archive home `source`, its database too (on PostgreSQL a schema of its
        own, with the same rows), to change without changing `source`."""
        shutil.copytree(source, to)
        if self.name != "postgresql":
            return to
        settings_path = to / "archive.toml"
        old = next(name for name in self.schemas if _url(name) in settings_path.read_text())
        url = self.new_schema(migrated=True)
        copy = self.schemas[-1]
        with psycopg.connect(_conninfo(), autocommit=True) as connection, connection.transaction():
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(f'DELETE FROM "{copy}".{table.name}')
            for table in Base.metadata.sorted_tables:
                new, copied = f'"{copy}".{table.name}', f'"{old}".{table.name}'
                connection.execute(f"INSERT INTO {new} SELECT * FROM {copied}")
                if "id" in table.c and table.c.id.autoincrement in (True, "auto"):
                    connection.execute(
                        f"SELECT setval(pg_get_serial_sequence('{new}', 'id'), "
                        f"coalesce(max(id), 0) + 1, false) FROM {new}"
                    )
        settings_path.write_text(settings_path.read_text().replace(_url(old), url))
        return to

    def drop(self) -> None:
        if not self.schemas:
            return
        with psycopg.connect(_conninfo(), autocommit=True) as connection:
            connection.execute("SET lock_timeout = '30s'")  # a connection left in a transaction
            for name in self.schemas:
                connection.execute(f'DROP SCHEMA "{name}" CASCADE')
        self.schemas.clear()


def _new_name() -> str:
    return f"t_{os.getpid()}_{secrets.token_hex(4)}"


def _url(schema: str) -> str:
    options = quote(f"-csearch_path={schema}")
    return f"{SERVER}{'&' if '?' in SERVER else '?'}options={options}"


TEMPLATE_NAME = "t_migrated_template"  # in the SQL below, replaced by each copy's name


@functools.cache
def _migrated_schema_sql() -> str:
    """SQL that makes a schema as the migrations leave it, rows and all: pg_dump's copy of one
    they made, in this process, once."""
    from archive import db

    name = _new_name()
    with psycopg.connect(_conninfo(), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{name}"')
    try:
        engine = db.make_engine(_url(name))
        db.upgrade(engine)
        engine.dispose()
        dump = subprocess.run(
            ["pg_dump", "--schema", name, "--inserts", "--no-owner", "--no-acl", _conninfo()],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        with psycopg.connect(_conninfo(), autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{name}" CASCADE')
    # psql's own commands (such as \restrict) are not SQL
    lines = [line for line in dump.splitlines() if not line.startswith("\\")]
    return "\n".join(lines).replace(name, TEMPLATE_NAME)


def query(home: Path, sql: str) -> list[tuple]:
    """The rows `sql` reads from the database of the archive home `home`, whichever it is, as
    another program would read them (no SQLAlchemy, no Archive)."""
    url = settings.load(home)["database_url"]
    if not url:
        uri = f"{(home / 'archive.db').absolute().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            return connection.execute(sql).fetchall()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as connection:
        return connection.execute(sql).fetchall()
