"""What searches keep: searchers on the latest commit, what is known of a commit, and results.

A commit of an index never changes, so what searches work out about it stays true for as long as
it is read: the documents behind each term, each word's scores, the facets' bits, and the last
searches' results. `Known` holds them, shared by the searchers open on the commit (one per
concurrent search, `Snapshots`), for the newest two commits.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.searching import Searcher

from archive.errors import ArchiveError
from search_index import query as q
from search_index import scoring
from search_index.analysis import fold
from search_index.folder import IndexFolder
from search_index.results import Results

# A searcher keeps the documents and scores of the words searched, up to this many pairs in
# all (12 bytes each): there is no end to the words people search for.
WORD_CACHE = 4_000_000
# ... and the last searches' results (a page of hits with their snippets and the facets, some
# 10 kB): people ask the same things (the popular names, the exhibition's themes, the next page).
# Few in memory: each is some 40 objects the garbage collector follows, and its full collections
# stop every request of the process. Buys search p99 /1.5, x1.4 req/s (catalogue_load, 6 paired
# runs).
RESULTS_CACHE = 100


@dataclass
class Known:
    """What searches have worked out about one commit of one index (the documents behind each
    facet value, each word's scores), which stays true for as long as that commit is read. The
    searchers open on the commit (one per concurrent search) share it."""

    docs: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)
    terms: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    all: frozenset[int] | None = None
    words: dict[tuple, tuple[array, array]] = field(default_factory=dict)
    kept: int = 0  # documents held in `words`
    lengths: dict[str, array] = field(default_factory=dict)
    bits: dict[tuple[str, str], int] = field(default_factory=dict)  # see `facets`
    results: OrderedDict[tuple, Results] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)  # of words, kept, results


@dataclass
class Snapshot:
    """One searcher on one commit of one index, and what is known about that commit."""

    name: str
    searcher: Searcher
    known: Known

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
        each (`scoring.word_scores`). Worked out once per word and kept, where Whoosh would
        score every posting again on every search: a search then ranks its matches by adding up
        a few numbers per document. Kept as two arrays (12 bytes a document, against some 100
        in a dict or a set), so that the common words, which cost the most, stay kept."""
        key, known = tuple(found), self.known
        with known.lock:
            kept = known.words.pop(key, None)
            if kept is not None:
                known.words[key] = kept  # most recently used last
                return kept
        # Worked out outside the lock: two searches may both work out a new word; one wins.
        scores = scoring.word_scores(self.searcher, known.lengths, found)
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

    def word_scores(self, found: list[tuple[str, str, float]]) -> scoring.Scores:
        return dict(zip(*self.word(found), strict=True))

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

    def clause_scores(self, clause: q.Clause) -> scoring.Clause:
        """The scores of a clause's words (not phrases), and of the accession ids it names."""
        return (
            [self.word_scores(found) for found in q.word_alternatives(clause)],
            [self.word_scores([("id", i, q.ID_BOOST)]) for i in q.accession_ids(clause)],
        )


class Snapshots:
    """Searchers on the index in use, one per concurrent search (Whoosh's searchers are not safe
    to share between threads), kept between searches; and what is known of the newest commits."""

    def __init__(self, folder: IndexFolder):
        self._folder = folder
        self._guard = threading.Lock()  # of the attributes below
        self._idle: list[Snapshot] = []  # searchers not in use
        self._known: dict[tuple[str, int], Known] = {}  # of the latest commits read
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
            snapshot = Snapshot(name, searcher, self._known_of(name, searcher))
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
