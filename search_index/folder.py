"""The index folder: the Whoosh indexes in it, the pointer to the one in use, and the write lock.

The folder holds one or more complete Whoosh indexes (`index-<hex>/`) and a pointer file,
`CURRENT`, naming the one in use. A rebuild writes a new index beside the old one and `swap`s the
pointer with `os.replace`, which is atomic: a search reads the pointer, sees one index or the
other, never half of one; a rebuild that fails (or is killed) leaves the pointer on the old index.
The index it replaced stays on disk until the next rebuild (`remove_old`), so searches already
running on it — in this process or another — finish on files that are still there.

One writer at a time: `writer` and `write_lock` take Whoosh's write lock of an index (waiting
`lock_timeout` seconds for it, then raising `IndexLocked`). Readers take no lock: Whoosh never
changes a committed segment, and each search picks up the latest commit.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import LockError
from whoosh.reading import SegmentReader

from archive.errors import ArchiveError
from search_index.schema import build_schema

POINTER = "CURRENT"
PREFIX = "index-"
BLOCK_POSTINGS = 1024  # Whoosh's own is 128


def writing() -> dict:
    """How every writer writes its segments. As separate files, not packed into one: a reader
    maps each file as it is, where a packed segment is copied into memory whole each time a
    searcher opens on a new commit. Postings in blocks of BLOCK_POSTINGS: a search reads a word's
    postings whole (search_index/postings.py), and each block is one unpickling; with blocks of
    1,024, not 128, 1- and 2-word searches took 14–22% less (p50 and p95) at 20,000
    items (`benchmarks/search.py --items 20000`) and the index is 6% smaller."""
    return {"compound": False, "codec": W3Codec(blocklimit=BLOCK_POSTINGS)}


class IndexLocked(ArchiveError):
    """Another writer (an update, or a rebuild) holds the index; try again when it is done."""

    exit_code = 1
    http_status = 503


class IndexFolder:
    """The indexes of one folder, each opened once, and the pointer to the one in use."""

    def __init__(self, path: Path, *, lock_timeout: float):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._guard = threading.Lock()  # of `_indexes`
        self._indexes: dict[str, whoosh_index.FileIndex] = {}

    def create(self) -> None:
        """Makes the folder, with an empty index in use, unless it has one."""
        self.path.mkdir(parents=True, exist_ok=True)
        if (self.path / POINTER).exists():
            return
        name = self.new_index()
        # Two processes may open an empty folder at once: a hard link creates the pointer only
        # if there is none yet, so one of them wins and the other drops its empty index.
        temporary = self.path / f"{POINTER}.{uuid.uuid4().hex}"
        temporary.write_text(name + "\n", encoding="utf-8")
        try:
            os.link(temporary, self.path / POINTER)
        except FileExistsError:
            shutil.rmtree(self.path / name, ignore_errors=True)
        finally:
            temporary.unlink()

    def new_index(self) -> str:
        """An empty index beside the others, not yet in use; its name."""
        name = f"{PREFIX}{uuid.uuid4().hex[:16]}"
        path = self.path / name
        path.mkdir()
        whoosh_index.create_in(str(path), build_schema())
        return name

    def current(self) -> str:
        """The name of the index in use."""
        try:
            name = (self.path / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise ArchiveError(f"{self.path} holds no search index (no {POINTER} file)")
        if not name.startswith(PREFIX) or "/" in name or not (self.path / name).is_dir():
            raise ArchiveError(f"{self.path / POINTER} names no index: {name!r}")
        return name

    def index(self, name: str) -> whoosh_index.FileIndex:
        with self._guard:
            if name not in self._indexes:
                self._indexes[name] = whoosh_index.open_dir(str(self.path / name))
            return self._indexes[name]

    def swap(self, name: str) -> None:
        """Puts the index `name` in use, durably where the platform allows."""
        temporary = self.path / f"{POINTER}.{uuid.uuid4().hex}"
        with open(temporary, "w", encoding="utf-8") as out:
            out.write(name + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path / POINTER)
        with suppress(OSError):  # make the rename itself durable where the platform allows
            directory = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    def discard(self, name: str) -> None:
        """Removes an index that was never put in use."""
        shutil.rmtree(self.path / name, ignore_errors=True)
        with self._guard:
            self._indexes.pop(name, None)

    def remove_old(self, keep: set[str]) -> None:
        """Indexes from earlier rebuilds, or left by one that was killed."""
        for path in self.path.glob(f"{PREFIX}*"):
            if path.name not in keep:
                self.discard(path.name)
        for path in self.path.glob(f"{POINTER}.*"):
            if time.time() - path.stat().st_mtime > 3600:
                path.unlink(missing_ok=True)

    @contextmanager
    def writer(self) -> Iterator:
        """A writer on the index in use, with its lock held, committed at the end of the block;
        if a rebuild swapped the index while we waited for the lock, the writer is moved to the
        new one."""
        while True:
            name = self.current()
            try:
                writer = self.index(name).writer(timeout=self.lock_timeout, delay=0.05, **writing())
            except LockError:
                raise IndexLocked(
                    "the search index is being written by another update or a rebuild; "
                    f"waited {self.lock_timeout:g} s for it"
                )
            if self.current() == name:
                break
            writer.cancel()
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=merge_now_and_then)

    @contextmanager
    def write_lock(self, name: str) -> Iterator[None]:
        """The write lock of the index `name`, held for the block, without a writer."""
        lock = self.index(name).lock("WRITELOCK")
        deadline = time.monotonic() + self.lock_timeout
        while not lock.acquire():
            if time.monotonic() > deadline:
                raise IndexLocked(
                    "the search index is being written by an update or another rebuild; "
                    f"waited {self.lock_timeout:g} s for it"
                )
            time.sleep(0.05)
        try:
            yield
        finally:
            lock.release()


# An update writes a segment of its own. Whoosh's default policy merges small segments into it
# at nearly every commit, rewriting them each time (most of an update's time on a large index);
# here they are left alone until there are MERGE_AT of them, then merged together.
SMALL_SEGMENT = 2000  # documents
MERGE_AT = 8


def merge_now_and_then(writer, segments: list) -> list:
    """The segments a commit keeps (Whoosh's merge policy interface): all, until MERGE_AT of
    them are small; then the small ones are merged into the segment being written."""
    small = [s for s in segments if s.doc_count_all() < SMALL_SEGMENT]
    if len(small) < MERGE_AT:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return [s for s in segments if s not in small]


# For the tests of a rebuild killed part-way: when this environment variable names a file, a
# rebuild creates it once its new index is written, before the swap, and waits while it exists.
HOLD_BEFORE_SWAP = "ARCHIVE_REBUILD_HOLD"


def hold_before_swap() -> None:
    """When HOLD_BEFORE_SWAP names a file: create it, and wait while it is there. A test kills
    the rebuild at this point, its new index written and not yet in use, on any machine."""
    marker = os.environ.get(HOLD_BEFORE_SWAP)
    if not marker:
        return
    Path(marker).touch()
    while Path(marker).exists():
        time.sleep(0.05)
