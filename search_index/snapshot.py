"""What searches keep: searchers on the latest commit, what is read of each segment, what is
known of a commit, and results.

A segment of an index never changes (a commit adds segments, merges some, marks documents
deleted): the postings read from it (`SegmentPostings`, documents and weights as arrays, without
their positions) serve every later commit, so an update costs the next search only the reading
of the new small segment. What depends on the commit — its live documents, the documents behind
each filter and facet value, the fields' lengths, the last searches' results — `Known` holds,
shared by the searchers open on the commit (one per concurrent search, `Snapshots`), for the
newest two commits. A search works its words' scores out from the kept postings each time
(a few array operations), with the commit's statistics.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from archive.errors import ArchiveError
from search_index import query as q
from search_index import scoring
from search_index.analysis import fold
from search_index.folder import IndexFolder
from search_index.postings import field_lengths, term_arrays
from search_index.results import Results

# The postings read from each segment, up to this many in all (8 bytes each), kept for as long
# as the segment is read: a segment never changes, so what was read of it serves every later
# commit, and an update (a new small segment) leaves what was read of the others in place.
POSTINGS_CACHE = 6_000_000
ENTRY_COST = 24  # an entry (its key, two arrays) costs about as much as this many postings
# ... and the last searches' results (a page of hits with their snippets and the facets, some
# 10 kB): people ask the same things (the popular names, the exhibition's themes, the next page).
# Few in memory: each is some 40 objects the garbage collector follows, and its full collections
# stop every request of the process. Buys search p99 /1.5, x1.4 req/s (catalogue_load, 6 paired
# runs).
RESULTS_CACHE = 100

Postings = tuple[np.ndarray, np.ndarray]  # a segment's document numbers, their weights
# A field's values in a segment, and its postings as (document, place of the value) pairs
Values = tuple[list[str], np.ndarray, np.ndarray]
VALUES_KEPT = 1000  # fields of segments


class SegmentPostings:
    """The postings read from each segment (by segment id, field and term), shared by every
    searcher of the index, most recently used last."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[str, str, str], Postings] = OrderedDict()
        self._count = 0  # postings held
        self._values: OrderedDict[tuple[str, str], Values] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, segment: IndexReader, fieldname: str, text: str) -> Postings:
        key = (segment.segment().segment_id(), fieldname, text)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        # Read outside the lock: two searches may both read a term; either will do.
        docs, weights = term_arrays(segment, fieldname, text)
        found = (docs.astype(np.int32), weights.astype(np.float32))  # Whoosh's own widths
        with self._lock:
            if key not in self._kept:  # (a term no segment has is kept too: it costs a lookup)
                self._count += len(docs) + ENTRY_COST
            self._kept[key] = found
            while self._count > POSTINGS_CACHE and len(self._kept) > 1:
                self._count -= len(self._kept.popitem(last=False)[1][0]) + ENTRY_COST
        return found

    def values(self, segment: IndexReader, fieldname: str) -> Values:
        """The values of a facet or filter field in one segment, and its postings as pairs: so
        that a commit's first faceted search reads only its new segments' values."""
        key = (segment.segment().segment_id(), fieldname)
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
                return found
        terms = list(segment.field_terms(fieldname))
        docs = [term_arrays(segment, fieldname, term)[0] for term in terms]
        places = [np.full(len(d), n, np.int32) for n, d in enumerate(docs)]
        found = (
            terms,
            np.concatenate(docs).astype(np.int32) if docs else np.zeros(0, np.int32),
            np.concatenate(places) if places else np.zeros(0, np.int32),
        )
        with self._lock:
            self._values[key] = found
            while len(self._values) > VALUES_KEPT:
                self._values.popitem(last=False)
        return found


@dataclass
class Known:
    """What searches have worked out about one commit of one index (its live documents, the
    documents behind each filter and facet value, the fields' lengths, the last searches'
    results), which stays true for as long as that commit is read. The searchers open on the
    commit (one per concurrent search) share it."""

    live: np.ndarray | None = None  # of every document number: not deleted
    docs: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    terms: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    lengths: dict[str, np.ndarray] = field(default_factory=dict)
    facets: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = field(default_factory=dict)
    results: OrderedDict[tuple, Results] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)  # of results


@dataclass
class Snapshot:
    """One searcher on one commit of one index, and what is known about that commit.

    Sets of documents are masks: a bool for every document number of the commit."""

    name: str
    searcher: Searcher
    known: Known
    postings: SegmentPostings
    words: dict[tuple, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # this search's

    @property
    def size(self) -> int:
        return self.searcher.reader().doc_count_all()

    def none(self) -> np.ndarray:
        return np.zeros(self.size, bool)

    def all_docs(self) -> np.ndarray:
        if self.known.live is None:
            live = self.none()
            for segment, offset in self.searcher.reader().leaf_readers():
                count = segment.doc_count_all()
                live[offset : offset + count] = True
                deleted = np.fromiter(getattr(segment, "deleted_docs_set", ()), np.int64)
                live[deleted + offset] = False
            self.known.live = live
        return self.known.live

    def segment_docs(self, fieldname: str, text: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """A term's postings in each segment: document numbers of the commit (deleted ones
        too) and weights."""
        for segment, offset in self.searcher.reader().leaf_readers():
            if not segment.doc_count_all():  # an empty index
                continue
            docs, weights = self.postings.get(segment, fieldname, text)
            if len(docs):
                yield docs.astype(np.int64) + offset, weights

    def term_docs(self, fieldname: str, term: str) -> np.ndarray:
        """The live documents with the term; kept for the commit, but for an accession id
        (a mask for each of the many ids searched would add up)."""
        key = (fieldname, term)
        found = self.known.docs.get(key)
        if found is None:
            found = self.none()
            for docs, _ in self.segment_docs(fieldname, term):
                found[docs] = True
            found &= self.all_docs()
            if fieldname != "id":
                self.known.docs[key] = found
        return found

    def values(self, fieldname: str) -> Iterator[Values]:
        """A field's values in each segment, with its postings as pairs of (document of the
        commit, deleted ones too; place of the value in the segment's list)."""
        for segment, offset in self.searcher.reader().leaf_readers():
            if segment.doc_count_all():
                terms, docs, places = self.postings.values(segment, fieldname)
                yield terms, docs.astype(np.int64) + offset, places

    def terms(self, fieldname: str) -> dict[str, list[str]]:
        """The field's values, grouped by folded form (so `tag:crc` finds `CRC`)."""
        if fieldname not in self.known.terms:
            grouped: dict[str, list[str]] = {}
            every = set().union(*(terms for terms, _, _ in self.values(fieldname)))
            for term in sorted(every):  # as Whoosh lists them
                grouped.setdefault(fold(term), []).append(term)
            self.known.terms[fieldname] = grouped
        return self.known.terms[fieldname]

    def value_docs(self, fieldnames: Iterable[str], values: Iterable[str]) -> np.ndarray:
        found = self.none()
        for fieldname in fieldnames:
            for value in values:
                for term in self.terms(fieldname).get(fold(value), ()):
                    found |= self.term_docs(fieldname, term)
        return found

    def query_docs(self, query: wq.Query) -> np.ndarray:
        found = self.none()
        found[np.fromiter(self.searcher.docs_for_query(query), np.int64)] = True
        return found

    def lengths(self, fieldname: str) -> np.ndarray:
        """The field's length in every document, read once per commit."""
        known = self.known.lengths.get(fieldname)
        if known is None:
            parts = [field_lengths(s, fieldname) for s, _ in self.searcher.reader().leaf_readers()]
            known = np.concatenate(parts) if parts else np.zeros(0)
            self.known.lengths[fieldname] = known  # (two searches may both read it)
        return known

    def word(self, found: list[tuple[str, str, float]]) -> tuple[np.ndarray, np.ndarray]:
        """The documents with a word (in any of its alternatives, `found`), and its score in
        every document (`scoring.word_scores`); worked out once a search."""
        key = tuple(found)
        if key not in self.words:
            present, scores = scoring.word_scores(self, found)
            self.words[key] = (present & self.all_docs(), scores)  # postings list deleted ones
        return self.words[key]

    def clause_docs(self, clause: q.Clause) -> np.ndarray:
        """The documents a clause matches, without scoring them: a phrase needs the positions
        (Whoosh's phrase matcher); words need only their postings, which are cached."""
        if clause.phrase:
            return self.query_docs(q.clause_query(clause))
        docs: np.ndarray | None = None
        for found in q.word_alternatives(clause):
            docs = self.word(found)[0] if docs is None else docs & self.word(found)[0]
            if not docs.any():
                break
        docs = self.none() if docs is None else docs
        for identifier in q.accession_ids(clause):
            docs = docs | self.term_docs("id", identifier)
        return docs

    def clause_scores(self, clause: q.Clause) -> scoring.Clause:
        """The documents and scores of a clause's words (not phrases), and of the accession
        ids it names."""
        return (
            [self.word(found) for found in q.word_alternatives(clause)],
            [self.word([("id", i, q.ID_BOOST)]) for i in q.accession_ids(clause)],
        )


class Snapshots:
    """Searchers on the index in use, one per concurrent search (Whoosh's searchers are not safe
    to share between threads), kept between searches; and what is known of the newest commits."""

    def __init__(self, folder: IndexFolder):
        self._folder = folder
        self._guard = threading.Lock()  # of the attributes below
        self._idle: list[Snapshot] = []  # searchers not in use
        self._known: dict[tuple[str, int], Known] = {}  # of the latest commits read
        self.postings = SegmentPostings()
        self._closed = False

    @contextmanager
    def take(self) -> Iterator[Snapshot]:
        """A searcher on the latest commit of the index in use, for this search alone."""
        name = self._folder.current()
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
            searcher = self._folder.index(name).searcher(weighting=scoring.weighting())
            snapshot = Snapshot(name, searcher, self._known_of(name, searcher), self.postings)
        snapshot.words = {}
        try:
            yield snapshot
        finally:
            with self._guard:
                keep = not self._closed
                if keep:
                    self._idle.append(snapshot)
            if not keep:
                snapshot.searcher.close()

    def _known_of(self, name: str, searcher: Searcher) -> Known:
        """What is known of the commit `searcher` reads, shared with the other searchers on it.
        Only the latest commits' is kept here; searchers on an older one keep theirs."""
        generation = searcher.reader().generation()
        if generation is None:  # an empty index: nothing worth sharing
            return Known()
        key = (name, generation)
        with self._guard:
            known = self._known.get(key)
            if known is None:
                known = self._known[key] = Known()
                while len(self._known) > 2:  # the newest two: a commit, and the one before it
                    del self._known[next(iter(self._known))]
            return known

    def close(self) -> None:
        with self._guard:
            self._closed = True
            idle, self._idle = self._idle, []
        for snapshot in idle:
            snapshot.searcher.close()


class KeptResults:
    """The last searches' results, `RESULTS_CACHE` of them, with what is known of their commit."""

    def get(self, known: Known, key: tuple) -> Results | None:
        """The results of the search `key` on the commit, if kept."""
        with known.lock:
            found = known.results.get(key)
            if found is not None:
                known.results.move_to_end(key)
            return found

    def put(self, known: Known, key: tuple, found: Results) -> None:
        with known.lock:
            known.results[key] = found
            while len(known.results) > RESULTS_CACHE:
                known.results.popitem(last=False)
