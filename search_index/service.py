"""The search service: keeps the index of archive documents and answers searches over it.

It knows nothing of the database: the archive hands it plain documents (dicts, described in
`SearchIndex`) and asks for ids back. Whoosh stays behind this class.

The folder holds one or more complete Whoosh indexes (`index-<hex>/`) and a pointer file,
`CURRENT`, naming the one in use. `rebuild` writes a new index beside the old one and swaps the
pointer with `os.replace`, which is atomic: a search reads the pointer, sees one index or the
other, never half of one; a rebuild that fails (or is killed) leaves the pointer on the old index.
The index it replaced stays on disk until the next rebuild, so searches already running on it —
in this process or another — finish on files that are still there.

One writer at a time: `update`, `delete` and `rebuild` take Whoosh's write lock of the index in
use (waiting `lock_timeout` seconds for it, then raising `IndexLocked`); a rebuild holds it on the
old index until the swap, so an update cannot land in an index about to be replaced. Readers take
no lock: Whoosh never changes a committed segment, and each search picks up the latest commit.
"""

from __future__ import annotations

import heapq
import json
import os
import shutil
import threading
import time
import uuid
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring, sorting
from whoosh.index import LockError
from whoosh.searching import Searcher

from archive.errors import ArchiveError, InvalidInput
from archive.shared import SharedCache
from search_index import query as q
from search_index.analysis import fold
from search_index.postings import blocks
from search_index.schema import FACETS, FILTERS, build_schema, is_english, prepare
from search_index.within import best_passage

POINTER = "CURRENT"
PREFIX = "index-"
SORTS = ("relevance", "date", "-date", "added")
MAX_PER_PAGE = 200
# A searcher keeps the documents and scores of the words searched, up to this many pairs in
# all (12 bytes each): there is no end to the words people search for.
WORD_CACHE = 4_000_000
# ... and the last searches' results (a page of hits with their snippets and the facets, some
# 10 kB): people ask the same things (the popular names, the exhibition's themes, the next page).
# Few in memory: each is some 40 objects the garbage collector follows, and its full collections
# stop every request of the process (a search worker's took 62 ms with a thousand kept, and the
# items' cards as objects; 17 ms with a hundred, and the cards as tuples). More are in the file.
RESULTS_CACHE = 100
# ... and shared with the other processes of a server through a file beside the index, where
# more are kept (some 5 kB each): see `archive.shared`.
SHARED_RESULTS, SHARED_RESULTS_KEPT = "results.sqlite", 20_000
# Segments as separate files, not packed into one: a reader maps each file as it is, where a
# packed segment is copied into memory whole each time a searcher opens on a new commit (1.7 s
# and 1.8 GB per update on 100,000 items, against 0.2 s and 140 MB unpacked).
COMPOUND = False
B, K1 = 0.75, 1.2  # BM25F's parameters (Whoosh's defaults)


class IndexLocked(ArchiveError):
    """Another writer (an update, or a rebuild) holds the index; try again when it is done."""

    exit_code = 1
    http_status = 503


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    type: str
    title: dict[str, str]
    year_start: int | None
    snippet: str  # HTML: the text escaped, the query's words in <mark>…</mark>
    page: int | None  # the page the snippet comes from (None: from the description or title)


@dataclass(frozen=True)
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    page: int
    per_page: int
    query: str


@dataclass
class _Known:
    """What searches have worked out about one commit of one index (the documents behind each
    facet value, each word's scores), which stays true for as long as that commit is read. The
    searchers open on the commit (one per concurrent search) share it."""

    docs: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)
    terms: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    all: frozenset[int] | None = None
    words: dict[tuple, tuple[array, array]] = field(default_factory=dict)
    kept: int = 0  # documents held in `words`
    lengths: dict[str, array] = field(default_factory=dict)
    bits: dict[tuple[str, str], int] = field(default_factory=dict)
    results: OrderedDict[tuple, Results] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)  # of words, kept, results
    commit: tuple[str, int] | None = None  # the index and generation; None: an empty index


@dataclass
class _Snapshot:
    """One searcher on one commit of one index, and what is known about that commit."""

    name: str
    searcher: Searcher
    known: _Known

    def all_docs(self) -> frozenset[int]:
        if self.known.all is None:
            self.known.all = frozenset(self.searcher.reader().all_doc_ids())
        return self.known.all

    def term_docs(self, fieldname: str, term: str) -> frozenset[int]:
        key = (fieldname, term)
        if key not in self.known.docs:
            reader = self.searcher.reader()
            found: frozenset[int] = frozenset()
            if (fieldname, term) in reader:
                found = frozenset(reader.postings(fieldname, term).all_ids())
            self.known.docs[key] = found & self.all_docs()  # postings list deleted documents
        return self.known.docs[key]

    def bits(self, docs: Iterable[int]) -> int:
        """Documents as the bits of an int: a facet value's count under a match set is then
        an AND and a bit count, which Python does 64 documents at a time."""
        found = bytearray(self.searcher.reader().doc_count_all() // 8 + 1)
        for doc in docs:
            found[doc >> 3] |= 1 << (doc & 7)
        return int.from_bytes(found, "little")

    def term_bits(self, fieldname: str, term: str) -> int:
        key = (fieldname, term)
        if key not in self.known.bits:
            self.known.bits[key] = self.bits(self.term_docs(fieldname, term))
        return self.known.bits[key]

    def terms(self, fieldname: str) -> dict[str, list[str]]:
        """The field's values, grouped by folded form (so `tag:crc` finds `CRC`)."""
        if fieldname not in self.known.terms:
            grouped: dict[str, list[str]] = {}
            for term in self.searcher.reader().field_terms(fieldname):
                grouped.setdefault(fold(term), []).append(term)
            self.known.terms[fieldname] = grouped
        return self.known.terms[fieldname]

    def value_docs(self, fieldnames: Iterable[str], values: Iterable[str]) -> frozenset[int]:
        found: set[int] = set()
        for fieldname in fieldnames:
            for value in values:
                for term in self.terms(fieldname).get(fold(value), ()):
                    found |= self.term_docs(fieldname, term)
        return frozenset(found)

    def query_docs(self, query: wq.Query) -> frozenset[int]:
        return frozenset(self.searcher.docs_for_query(query))

    def word(self, found: list[tuple[str, str, float]]) -> tuple[array, array]:
        """The documents with a word (in any of its alternatives, `found`), and its score in
        each: the sum of its alternatives' BM25F scores, each times its boost, as Whoosh's own
        matchers add them up. Worked out once per word and kept, where Whoosh would score every
        posting again on every search: a search then ranks its matches by adding up a few
        numbers per document. Kept as two arrays (12 bytes a document, against some 100 in a
        dict or a set), so that the common words, which cost the most, stay kept."""
        key, known = tuple(found), self.known
        with known.lock:
            kept = known.words.pop(key, None)
            if kept is not None:
                known.words[key] = kept  # most recently used last
                return kept
        # Worked out outside the lock: two searches may both work out a new word; one wins.
        scores: dict[int, float] = {}
        for fieldname, text, boost in found:
            self._add_scores(scores, fieldname, text, boost)
        kept = (array("i", scores), array("d", scores.values()))
        with known.lock:
            if key not in known.words:
                known.kept += len(kept[0])
            known.words[key] = kept
            while known.kept > WORD_CACHE and len(known.words) > 1:
                known.kept -= len(known.words.pop(next(iter(known.words)))[0])
        return kept

    def word_docs(self, found: list[tuple[str, str, float]]) -> frozenset[int]:
        return frozenset(self.word(found)[0]) & self.all_docs()  # postings list deleted ones

    def word_scores(self, found: list[tuple[str, str, float]]) -> dict[int, float]:
        return dict(zip(*self.word(found), strict=True))

    def _add_scores(self, scores: dict[int, float], fieldname: str, text: str, boost: float):
        """Adds `boost` times the term's BM25F score to each document's that has it: Whoosh's
        formula on Whoosh's statistics (idf, average length), in one loop over each segment's
        postings, with the documents' field lengths kept (Whoosh's scorer finds each through
        the segment, its column and a file read; this is several times faster)."""
        searcher = self.searcher
        reader = searcher.reader()
        if (fieldname, text) not in reader:
            return
        scorable = searcher.schema[fieldname].scorable
        if scorable:
            average = searcher.avg_field_length(fieldname) or 1
            # bm25 = idf·w·(K1+1) / (w + K1·(1 − B + B·length/average)), rearranged
            numerator = boost * searcher.idf(fieldname, text) * (K1 + 1)
            constant, per_length = K1 * (1 - B), K1 * B / average
            lengths = self.known.lengths.get(fieldname)
            if lengths is None:  # (two searches may both make one; either will do)
                lengths = array("i", [-1]) * reader.doc_count_all()
                lengths = self.known.lengths.setdefault(fieldname, lengths)
        for segment, offset in reader.leaf_readers():
            if (fieldname, text) not in segment:
                continue
            for docs, weights in blocks(segment.postings(fieldname, text)):
                for local, weight in zip(docs, weights, strict=True):
                    doc = local + offset
                    if scorable:
                        length = lengths[doc]
                        if length < 0:
                            length = segment.doc_field_length(local, fieldname, 1)
                            lengths[doc] = length
                        score = numerator * weight / (weight + constant + per_length * length)
                    else:  # as Whoosh's scorer of an unscored field: the weight (1), boosted
                        score = boost * weight
                    scores[doc] = scores.get(doc, 0.0) + score

    def clause_docs(self, clause: q.Clause) -> frozenset[int]:
        """The documents a clause matches, without scoring them: a phrase needs the positions
        (Whoosh's phrase matcher); words need only their postings, which are cached."""
        if clause.phrase:
            return self.query_docs(q.clause_query(clause))
        docs: frozenset[int] | None = None
        for found in q.word_alternatives(clause):
            docs = self.word_docs(found) if docs is None else docs & self.word_docs(found)
            if not docs:
                break
        docs = docs or frozenset()
        for identifier in q.accession_ids(clause):
            docs |= self.term_docs("id", identifier)
        return docs


class SearchIndex:
    """The full-text index of the archive's items (see the module's docstring).

    A document is a dict with every key present (values may be empty)::

        {"id": "KT-2024-000123", "type": "photo" | "document", "collection": "fonds/series/file",
         "title": {"vi": …, "en": …}, "description": {"vi": …}, "creator": str, "place": str,
         "subjects": [str], "tags": {"convention": [], "theme": [], "district": [],
         "ethnic-group": [], "decade": ["1970s"]}, "year_start": int, "year_end": int,
         "languages": ["vie"], "access": "public" | "restricted", "added": ISO date-time,
         "updated": ISO date-time, "pages": [{"number": 1, "text": …}]}

    Anything but `"access": "public"` is restricted.
    """

    parallel_from = (
        1000  # a rebuild of at least this many documents is indexed by `procs` processes
    )

    def __init__(self, folder: Path, *, lock_timeout: float = 2.0, procs: int | None = None):
        self.folder = Path(folder)
        self.lock_timeout = lock_timeout
        self.procs = procs if procs is not None else min(2, os.cpu_count() or 1)
        self._guard = threading.Lock()
        self._indexes: dict[str, whoosh_index.FileIndex] = {}
        self._idle: list[_Snapshot] = []  # searchers not in use; one per concurrent search
        self._known: dict[tuple[str, int], _Known] = {}  # of the latest commits read
        self._shared = SharedCache(self.folder / SHARED_RESULTS, SHARED_RESULTS_KEPT)
        self._closed = False

    @classmethod
    def open(
        cls, folder: Path, *, lock_timeout: float = 2.0, procs: int | None = None
    ) -> SearchIndex:
        """The index in `folder`, created empty if there is none."""
        self = cls(folder, lock_timeout=lock_timeout, procs=procs)
        self.folder.mkdir(parents=True, exist_ok=True)
        if not (self.folder / POINTER).exists():
            self._create_first()
        self._current()
        return self

    def close(self) -> None:
        with self._guard:
            self._closed = True
            idle, self._idle = self._idle, []
        for snapshot in idle:
            snapshot.searcher.close()
        self._shared.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -----------------------------------------------------------------------------------------
    # The folder: indexes and the pointer

    def _create_first(self) -> None:
        name = self._new_index()
        # Two processes may open an empty folder at once: a hard link creates the pointer only
        # if there is none yet, so one of them wins and the other drops its empty index.
        temporary = self.folder / f"{POINTER}.{uuid.uuid4().hex}"
        temporary.write_text(name + "\n", encoding="utf-8")
        try:
            os.link(temporary, self.folder / POINTER)
        except FileExistsError:
            shutil.rmtree(self.folder / name, ignore_errors=True)
        finally:
            temporary.unlink()

    def _new_index(self) -> str:
        name = f"{PREFIX}{uuid.uuid4().hex[:16]}"
        path = self.folder / name
        path.mkdir()
        whoosh_index.create_in(str(path), build_schema())
        return name

    def _current(self) -> str:
        try:
            name = (self.folder / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise ArchiveError(f"{self.folder} holds no search index (no {POINTER} file)")
        if not name.startswith(PREFIX) or "/" in name or not (self.folder / name).is_dir():
            raise ArchiveError(f"{self.folder / POINTER} names no index: {name!r}")
        return name

    def _index(self, name: str) -> whoosh_index.FileIndex:
        with self._guard:
            if name not in self._indexes:
                self._indexes[name] = whoosh_index.open_dir(str(self.folder / name))
            return self._indexes[name]

    def _swap(self, name: str) -> None:
        temporary = self.folder / f"{POINTER}.{uuid.uuid4().hex}"
        with open(temporary, "w", encoding="utf-8") as out:
            out.write(name + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.folder / POINTER)
        with suppress(OSError):  # make the rename itself durable where the platform allows
            directory = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    def _remove_old(self, keep: set[str]) -> None:
        """Indexes from earlier rebuilds, or left by one that was killed."""
        for path in self.folder.glob(f"{PREFIX}*"):
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
                with self._guard:
                    self._indexes.pop(path.name, None)
        for path in self.folder.glob(f"{POINTER}.*"):
            if time.time() - path.stat().st_mtime > 3600:
                path.unlink(missing_ok=True)

    # -----------------------------------------------------------------------------------------
    # Writing

    @contextmanager
    def _writer(self) -> Iterator:
        """A writer on the index in use, with its lock held; if a rebuild swapped the index while
        we waited for the lock, the writer is moved to the new one."""
        while True:
            name = self._current()
            try:
                writer = self._index(name).writer(
                    timeout=self.lock_timeout, delay=0.05, compound=COMPOUND
                )
            except LockError:
                raise IndexLocked(
                    "the search index is being written by another update or a rebuild; "
                    f"waited {self.lock_timeout:g} s for it"
                )
            if self._current() == name:
                break
            writer.cancel()
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def update(self, documents: Iterable[dict]) -> None:
        """Adds the documents, replacing any with the same id."""
        prepared = {p.id: p for p in map(prepare, documents)}  # the last of an id wins
        if not prepared:
            return
        with self._writer() as writer:
            for document in prepared.values():
                writer.update_document(**document.fields)

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        with self._writer() as writer:
            for identifier in ids:
                writer.delete_by_term("id", identifier)

    def rebuild(self, documents: Iterable[dict]) -> int:
        """A new index of `documents`, swapped in for the old one when complete; their count."""
        old = self._current()
        lock = self._index(old).lock("WRITELOCK")
        deadline = time.monotonic() + self.lock_timeout
        while not lock.acquire():
            if time.monotonic() > deadline:
                raise IndexLocked(
                    "the search index is being written by an update or another rebuild; "
                    f"waited {self.lock_timeout:g} s for it"
                )
            time.sleep(0.05)
        try:
            if self._current() != old:
                raise IndexLocked("another rebuild replaced the search index meanwhile")
            self._remove_old(keep={old})
            name = self._new_index()
            try:
                count = self._fill(self._index(name), documents)
            except BaseException:
                shutil.rmtree(self.folder / name, ignore_errors=True)
                with self._guard:
                    self._indexes.pop(name, None)
                raise
            self._swap(name)
            return count
        finally:
            lock.release()

    def _fill(self, index: whoosh_index.FileIndex, documents: Iterable[dict]) -> int:
        seen: set[str] = set()

        def prepared() -> Iterator:
            for document in documents:
                ready = prepare(document)
                if ready.id in seen:
                    raise InvalidInput(f"{ready.id}: given twice to the rebuild")
                seen.add(ready.id)
                yield ready

        stream = prepared()
        first = list(islice(stream, self.parallel_from))
        parallel = len(first) == self.parallel_from and self.procs > 1
        # Several processes double the speed on a large rebuild (each writes its own segment);
        # on a small one, starting them costs more than they save.
        if parallel:
            writer = index.writer(procs=self.procs, multisegment=True, compound=COMPOUND)
        else:
            writer = index.writer(compound=COMPOUND)
        try:
            for ready in first:
                writer.add_document(**ready.fields)
            for ready in stream:
                writer.add_document(**ready.fields)
        except BaseException:
            _cancel(writer)
            raise
        writer.commit()
        return len(seen)

    # -----------------------------------------------------------------------------------------
    # Reading

    @contextmanager
    def _snapshot(self) -> Iterator[_Snapshot]:
        """A searcher on the latest commit of the index in use, for this search alone (Whoosh's
        searchers are not safe to share between threads)."""
        name = self._current()
        with self._guard:
            if self._closed:
                raise ArchiveError("the search index is closed")
            stale = [s for s in self._idle if s.name != name]  # a rebuild swapped the index
            self._idle = [s for s in self._idle if s.name == name]
            snapshot = self._idle.pop() if self._idle else None
        for old in stale:
            old.searcher.close()
        if snapshot is not None and not snapshot.searcher.up_to_date():
            # Not `Searcher.refresh()`: it reuses the readers of unchanged segments with the
            # deletions they had then, so a replaced document would be found twice.
            snapshot.searcher.close()
            snapshot = None
        if snapshot is None:
            weighting = scoring.BM25F(B=B, K1=K1)  # phrases are scored by Whoosh, likewise
            searcher = self._index(name).searcher(weighting=weighting)
            snapshot = _Snapshot(name, searcher, self._known_of(name, searcher))
        try:
            yield snapshot
        finally:
            with self._guard:
                keep = not self._closed
                if keep:
                    self._idle.append(snapshot)
            if not keep:
                snapshot.searcher.close()

    def _known_of(self, name: str, searcher: Searcher) -> _Known:
        """What is known of the commit `searcher` reads, shared with the other searchers on it.
        Only the latest commits' is kept here; searchers on an older one keep theirs."""
        generation = searcher.reader().generation()
        if generation is None:  # an empty index: nothing worth sharing
            return _Known()
        key = (name, generation)
        with self._guard:
            known = self._known.get(key)
            if known is None:
                known = self._known[key] = _Known(commit=key)
                while len(self._known) > 2:  # the newest two: a commit, and the one before it
                    del self._known[next(iter(self._known))]
            return known

    def version(self) -> tuple[str, int]:
        """Which commit of which index a search made now reads: it changes with every update,
        delete and rebuild (for those who keep what searches found)."""
        name = self._current()
        return name, self._index(name).latest_generation()

    def versions(self) -> dict[str, str]:
        """The `updated` value of every indexed document, by id."""
        with self._snapshot() as snapshot:
            reader = snapshot.searcher.reader()
            if reader.doc_count() == 0:  # an empty index has no columns to read
                return {}
            ids = reader.column_reader("id")
            updated = reader.column_reader("updated")
            return {ids[n]: updated[n] for n in reader.all_doc_ids()}

    def count(self) -> int:
        with self._snapshot() as snapshot:
            return snapshot.searcher.doc_count()

    def search(
        self,
        query: str,
        *,
        filters: dict[str, list[str]] | None = None,
        public_only: bool = True,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
        facets: bool = True,
    ) -> Results:
        """Items matching `query` (see `search_index.query`) and `filters` (values of one field
        ORed, fields ANDed), one page of them, with facet counts.

        Filters: type, decade, collection (and below), convention, theme, district, ethnic-group,
        language (or lang), tag (any vocabulary; `district:sa-thay` names one), year
        ("1975..1980": the years overlap).
        `per_page` is at most 200.

        Facets are disjunctive: each facet's counts take in the query and every filter but its
        own. With `public_only`, restricted items are left out before anything is counted.
        """
        if sort not in SORTS:
            raise InvalidInput(f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
        chosen = _check_filters(filters)
        page, per_page = max(1, int(page)), max(1, min(int(per_page), MAX_PER_PAGE))
        asked = (query, public_only, sort, page, per_page, facets)
        key = (*asked, tuple((name, tuple(values)) for name, values in sorted(chosen.items())))
        with self._snapshot() as snapshot:
            known = snapshot.known
            with known.lock:
                found = known.results.get(key)
                if found is not None:
                    known.results.move_to_end(key)
                    return found
            commit = known.commit
            kept = self._shared.get(commit, key) if commit else None
            found = _results(json.loads(kept)) if kept else None
            if found is None:
                found = self._search(snapshot, q.parse(query), chosen, *asked)
                if commit:
                    self._shared.put(commit, key, _encoded(found))
            with known.lock:
                known.results[key] = found
                while len(known.results) > RESULTS_CACHE:
                    known.results.popitem(last=False)
        return found

    def _search(
        self,
        snapshot: _Snapshot,
        parsed: q.Query,
        chosen: dict[str, list[str]],
        query: str,
        public_only: bool,
        sort: str,
        page: int,
        per_page: int,
        facets: bool,
    ) -> Results:
        base = self._base(snapshot, parsed, public_only)
        narrowed = {key: _filter_docs(snapshot, key, values) for key, values in chosen.items()}
        matching = _intersect(base, narrowed.values())
        hits = self._hits(snapshot, parsed, matching, sort, page, per_page)
        visible = snapshot.all_docs()
        if public_only:
            visible &= snapshot.term_docs("access", "public")
        counts = _facets(snapshot, base, narrowed, chosen, visible) if facets else {}
        return Results(len(matching), hits, counts, page, per_page, query)

    def _base(self, snapshot: _Snapshot, parsed: q.Query, public_only: bool) -> frozenset[int]:
        """What the query text matches, before the `filters` argument."""
        docs = snapshot.all_docs()
        if public_only:
            docs &= snapshot.term_docs("access", "public")
        for clause in sorted(parsed.positive, key=lambda c: c.phrase):  # phrases are slower
            if docs:
                docs &= snapshot.clause_docs(clause)
        for found in parsed.filters:
            if found.field == "year":
                assert found.years is not None
                selected = snapshot.query_docs(q.year_query(*found.years))
            else:
                fields, value = q.filter_fields(found.field, found.value)
                selected = snapshot.value_docs(fields, [value])
            docs = docs - selected if found.negated else docs & selected
        for clause in parsed.negative:
            if docs:
                docs -= snapshot.clause_docs(clause)
        return docs

    def _hits(
        self,
        snapshot: _Snapshot,
        parsed: q.Query,
        matching: frozenset[int],
        sort: str,
        page: int,
        per_page: int,
    ) -> list[Hit]:
        start = (page - 1) * per_page
        if start >= len(matching):
            return []
        searcher = snapshot.searcher
        if not parsed.positive and sort == "relevance":  # nothing to rank by: accession order
            sort = "id"
        order = _ORDERS.get(sort)
        if order is None and not any(c.phrase for c in parsed.positive):
            ranked = _ranked(snapshot, parsed, matching, start + per_page)[start:]
        else:
            # Sorted by a field, the query need not be scored: `matching` already holds its hits.
            # A phrase is ranked by Whoosh's matchers, which read positions.
            results = searcher.search(
                q.positive(parsed) if order is None else wq.Every(),
                filter=set(matching),
                limit=start + per_page,
                sortedby=order() if order else None,
            )
            ranked = [
                (hit.docnum, float(hit.score) if order is None and hit.score is not None else 0.0)
                for hit in results[start : start + per_page]
            ]
        hits = []
        for docnum, score in ranked:
            stored = searcher.stored_fields(docnum)
            record = stored["record"]
            others = [(t, is_english(lang)) for lang, t in _languages(record["description"])]
            others += [(t, is_english(lang)) for lang, t in _languages(record["title"])]
            found = best_passage(parsed, record["pages"], others, record.get("folded_pages"))
            hits.append(
                Hit(
                    id=stored["id"],
                    score=score,
                    type=record["type"],
                    title=record["title"],
                    year_start=record["year_start"],
                    snippet=found.html if found else "",
                    page=found.page if found else None,
                )
            )
        return hits


def _encoded(found: Results) -> bytes:
    """Results as JSON for the shared file. Not `dataclasses.asdict`: it deep-copies every
    value, and took 12% of a search."""
    value = {**vars(found), "hits": [vars(hit) for hit in found.hits]}
    return json.dumps(value, ensure_ascii=False).encode()


def _results(value: dict) -> Results:
    """Results as the shared cache gives them back (JSON: lists where they were tuples)."""
    facets = {name: [(v, n) for v, n in values] for name, values in value["facets"].items()}
    return Results(**{**value, "hits": [Hit(**h) for h in value["hits"]], "facets": facets})


def _ranked(
    snapshot: _Snapshot, parsed: q.Query, matching: frozenset[int], limit: int
) -> list[tuple[int, float]]:
    """The first `limit` of `matching` by relevance, best first, as Whoosh's matchers score the
    query (`q.positive`, without phrases): a clause adds up its words' scores where it has them
    all, plus the score of an accession id it names; clauses add up. Equal scores go in index
    order. (Whoosh's own top-N search skips blocks of postings by their best possible score
    and now and then skips a document that belonged in the page; this does not.)"""
    clauses = [
        (
            [snapshot.word_scores(found) for found in q.word_alternatives(clause)],
            [snapshot.word_scores([("id", i, q.ID_BOOST)]) for i in q.accession_ids(clause)],
        )
        for clause in parsed.positive
    ]

    if any(ids for _, ids in clauses):
        scores = {doc: _score(doc, clauses) for doc in matching}
    else:  # the usual case: every match has every word; add up table by table
        first, *rest = [table for words, _ in clauses for table in words]
        scores = {doc: first[doc] for doc in matching}
        for table in rest:
            scores = {doc: score + table[doc] for doc, score in scores.items()}
    best = heapq.nlargest(limit, scores, key=lambda doc: (scores[doc], -doc))
    return [(doc, scores[doc]) for doc in best]


def _score(doc: int, clauses: list[tuple[list[dict], list[dict]]]) -> float:
    total = 0.0
    for words, ids in clauses:
        if all(doc in table for table in words):
            total += sum(table[doc] for table in words)
        total += sum(table.get(doc, 0.0) for table in ids)
    return total


def _by(*names: str, reverse_first: bool = False):
    def order():
        first = sorting.FieldFacet(names[0], reverse=reverse_first)
        return sorting.MultiFacet([first, *(sorting.FieldFacet(n) for n in names[1:])])

    return order


# Ties are broken by id, so that pages never overlap.
_ORDERS = {
    "date": _by("year_asc", "id"),
    "-date": _by("year_desc", "id"),
    "added": _by("added", "id", reverse_first=True),
    "id": _by("id"),
}


FILTER_NAMES = (*FILTERS, "year")
ALIASES = {"lang": "language"}


def _check_filters(filters: dict[str, list[str]] | None) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    for name, values in (filters or {}).items():
        key = ALIASES.get(name, name)
        if key not in FILTER_NAMES:
            raise InvalidInput(f"unknown filter {name!r}; one of {', '.join(FILTER_NAMES)}")
        values = [values] if isinstance(values, str) else [str(v) for v in values or ()]
        for value in values if key == "year" else ():
            if q.years(value) is None:
                raise InvalidInput(f"year filter {value!r} is not a year or a range (1975..1980)")
        if values:
            chosen.setdefault(key, []).extend(values)
    return chosen


def _filter_docs(snapshot: _Snapshot, key: str, values: list[str]) -> frozenset[int]:
    if key == "year":  # any of the ranges
        ranges = [q.years(v) for v in values]
        return frozenset().union(*(snapshot.query_docs(q.year_query(*r)) for r in ranges if r))
    found = [q.filter_fields(key, value) for value in values]
    return frozenset().union(*(snapshot.value_docs(fields, [value]) for fields, value in found))


def _intersect(docs: frozenset[int], others: Iterable[frozenset[int]]) -> frozenset[int]:
    for other in sorted(others, key=len):
        docs &= other
    return docs


def _facets(
    snapshot: _Snapshot,
    base: frozenset[int],
    narrowed: dict[str, frozenset[int]],
    chosen: dict[str, list[str]],
    visible: frozenset[int],
) -> dict[str, list[tuple[str, int]]]:
    """Counts per value of every facet, each under the query and the filters of the others.
    A chosen value stays in its facet at 0, so that it can be unchosen, if it is `visible`."""
    under: dict[tuple[str, ...], int] = {}  # by the filters applied: most facets share one
    counts: dict[str, list[tuple[str, int]]] = {}
    for facet, (fieldname, key) in FACETS.items():
        others = tuple(k for k in narrowed if k != key)
        if others not in under:
            under[others] = snapshot.bits(_intersect(base, (narrowed[k] for k in others)))
        docs = under[others]
        selected = {fold(v) for v in chosen.get(key, ())}
        values = []
        for folded, terms in snapshot.terms(fieldname).items():
            for term in terms:
                n = (docs & snapshot.term_bits(fieldname, term)).bit_count() if docs else 0
                if n or (folded in selected and visible & snapshot.term_docs(fieldname, term)):
                    values.append((term, n))
        counts[facet] = sorted(values, key=lambda v: (-v[1], v[0]))
    return counts


def _languages(texts: dict[str, str]) -> list[tuple[str, str]]:
    """The language map's entries, Vietnamese first."""
    return sorted(texts.items(), key=lambda item: item[0] != "vi")


def _cancel(writer) -> None:
    """Cancels a writer. A multi-process writer's own `cancel` leaves its worker processes
    waiting for work forever, so they are stopped here."""
    for task in getattr(writer, "tasks", ()):
        task.terminate()
        task.join()
    for name in ("jobqueue", "resultqueue"):
        queue = getattr(writer, name, None)
        if queue is not None:
            queue.cancel_join_thread()
            queue.close()
    writer.cancel()
