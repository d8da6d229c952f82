"""The archive home: one folder that holds everything an installation owns, and the `Archive`
object that the CLI and the web catalogue both build from it."""

from __future__ import annotations

import fcntl
import functools
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from archive import db, settings
from archive.errors import ConfigError
from archive.storage import MasterStore

FOLDERS = ("masters", "derivatives", "ocr", "index", "exhibitions", "logs")
DEFAULT_HOME = "archive-data"


def resolve_home(home: str | os.PathLike | None) -> Path:
    return Path(home or os.environ.get("ARCHIVE_HOME") or DEFAULT_HOME).absolute()


class Archive:
    """Settings, the database, and the storage of one archive home."""

    def __init__(self, home: Path, overrides: Mapping[str, Any] | None = None):
        self.home = home
        self.settings = settings.load(home, overrides)
        url = self.settings["database_url"] or f"sqlite:///{home / 'archive.db'}"
        self.engine = db.make_engine(url)
        self.sessions = db.session_factory(self.engine)
        self.masters = MasterStore(home / "masters")

    @classmethod
    def create(cls, home: Path, overrides: Mapping[str, Any] | None = None) -> Archive:
        """Make a new archive home (or complete one that lacks a part) and its database."""
        home.mkdir(parents=True, exist_ok=True)
        for name in FOLDERS:
            (home / name).mkdir(exist_ok=True)
        toml = home / "archive.toml"
        if not toml.exists():
            toml.write_text(settings.toml_template(), encoding="utf-8")
        archive = cls(home, overrides)
        db.upgrade(archive.engine)
        return archive

    @classmethod
    def open(cls, home: Path, overrides: Mapping[str, Any] | None = None) -> Archive:
        if not (home / "archive.toml").exists():
            raise ConfigError(f"{home} is not an archive home; create it with `archive init`")
        archive = cls(home, overrides)
        db.upgrade(archive.engine)
        return archive

    @functools.cached_property
    def vocabularies(self) -> dict:
        """The controlled vocabularies tagging uses: the shipped ones, or the setting's folder."""
        from archive import vocabulary

        folder = self.settings["vocabularies"]
        return vocabulary.load(Path(folder) if folder else None)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed at the end of the block, or rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def writer_lock(self, purpose: str) -> Iterator[None]:
        """One writing run (an ingest, a reindex) at a time per archive home."""
        path = self.home / "logs" / "writer.lock"
        path.parent.mkdir(exist_ok=True)
        with open(path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ConfigError(f"another run is writing to {self.home}; wait for it to end")
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()} {purpose}\n")
            handle.flush()
            yield

    def close(self) -> None:
        self.engine.dispose()
