"""The archive home: one folder that holds everything an installation owns, and the `Archive`
object that the CLI and the web catalogue both build from it."""

from __future__ import annotations

import errno
import fcntl
import functools
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive import settings, sqlite
from archive.errors import ConfigError
from archive.storage import MasterStore

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from archive.work import Subscriber, UnitOfWork

# Writer locks this process holds. A second open of the lock file here would not be refused,
# and closing it would release the first (POSIX record locks are per process and file).
_HELD: set[Path] = set()
FOLDERS = ("masters", "derivatives", "ocr", "index", "exhibitions", "logs")
DEFAULT_HOME = "archive-data"


def resolve_home(home: str | os.PathLike | None) -> Path:
    return Path(home or os.environ.get("ARCHIVE_HOME") or DEFAULT_HOME).absolute()


class Archive:
    """Settings, the database, and the storage of one archive home."""

    def __init__(self, home: Path, overrides: Mapping[str, Any] | None = None):
        self.home = home
        self.settings = settings.load(home, overrides)
        # The home's own SQLite file, read without SQLAlchemy where that matters (archive.sqlite);
        # None when the settings name another database.
        self.sqlite_path = None if self.settings["database_url"] else home / "archive.db"
        self.url = self.settings["database_url"] or f"sqlite:///{home / 'archive.db'}"
        self.masters = MasterStore(home / "masters")
        # Told of every committed unit of work (the search index): wired by whoever assembles
        # the application, so that the core imports none of them.
        self.subscribers: list[Subscriber] = []
        self.by: str | None = None  # whom changes naming no one are credited to (else the login)
        # Told of every unit of work in its transaction, before it commits: a search index kept
        # in the database itself is written there, whoever opened the archive, so that it can
        # never disagree with what it indexes.
        self.in_transaction: list[Callable[[UnitOfWork], None]] = []
        if self.settings["search_engine"] == "postgresql":
            from search_index.postgresql import write_changes

            self.in_transaction.append(write_changes)

    # SQLAlchemy is imported when the database is first used through it: an ingest that finds
    # every file already done never is, and starts in a fraction of the time.
    @functools.cached_property
    def engine(self) -> Engine:
        from archive import db

        return db.make_engine(self.url)

    @functools.cached_property
    def sessions(self) -> sessionmaker[Session]:
        from archive import db

        return db.session_factory(self.engine)

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
        archive._upgrade()
        return archive

    @classmethod
    def open(cls, home: Path, overrides: Mapping[str, Any] | None = None) -> Archive:
        if not (home / "archive.toml").exists():
            raise ConfigError(f"{home} is not an archive home; create it with `archive init`")
        archive = cls(home, overrides)
        archive._upgrade()
        return archive

    def _upgrade(self) -> None:
        """Bring the schema to the newest migration; the home's SQLite file is seen to be there
        already without SQLAlchemy."""
        if self.sqlite_path and sqlite.revision(self.sqlite_path) == sqlite.SCHEMA_REVISION:
            return
        from archive import db

        db.upgrade(self.engine)

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
    def change(self, action: str, by: str | None = None) -> Iterator[UnitOfWork]:
        """A unit of work (`archive.work`): every change to the archive is made in one. `by`
        names who makes it (default: the login name)."""
        from archive.work import UnitOfWork, who

        with self.sessions() as session:
            with session.begin():
                work = UnitOfWork(self, session, action, by or self.by or who())
                yield work
                work.finish()
                for writer in self.in_transaction:
                    writer(work)
            for subscriber in self.subscribers:
                subscriber(work.committed)

    @contextmanager
    def writer_lock(self, purpose: str) -> Iterator[None]:
        """One writing run (an ingest, a reindex) at a time per archive home, held by this
        process alone: a POSIX record lock, which the processes it forks (the ingest's workers)
        do not share, so it ends when this process ends, however it ends. (A flock() is shared
        with forked children: workers outliving a killed run kept it.) Such a lock does not
        exclude this process itself, so the homes it holds are also kept here."""
        path = self.home / "logs" / "writer.lock"
        if path in _HELD:
            raise ConfigError(f"another run is writing to {self.home}; wait for it to end")
        path.parent.mkdir(exist_ok=True)
        with open(path, "a+") as handle:  # not inherited by a program this process runs
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EAGAIN):
                    raise
                raise ConfigError(f"another run is writing to {self.home}; wait for it to end")
            _HELD.add(path)
            try:
                handle.seek(0)
                handle.truncate()
                handle.write(f"{os.getpid()} {purpose}\n")
                handle.flush()
                yield
            finally:
                _HELD.discard(path)

    def close(self) -> None:
        if "engine" in self.__dict__:  # made, so connected
            self.engine.dispose()
