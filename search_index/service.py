"""The search service: keeps the index of archive documents and answers searches over it.

It knows nothing of the database: the archive hands it plain documents (dicts, described in
`SearchIndex`) and asks for ids back. `SearchIndex` is the one way in for the rest of the project;
Whoosh stays behind it and the modules it draws on:

- `search_index.folder`: the indexes on disk, the pointer to the one in use, its swap on a
  rebuild, and the write lock (one writer at a time; readers take no lock);
- `search_index.snapshot`: the searchers, and what is kept between searches (the postings read
  from each segment, what is known of a commit, the last searches' results);
- `search_index.scoring`: relevance (BM25F), worked out on Whoosh's postings as arrays, read
  through `search_index.postings`;
- `search_index.facets`: filters, and the facets' counts.

Sets of documents are numpy masks, a bool for every document number of the commit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from itertools import chain, islice
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting

from archive import orders
from archive.errors import InvalidInput
from search_index import query as q
from search_index import scoring
from search_index.facets import FILTER_NAMES, check_filters, counts, filter_docs, intersect
from search_index.folder import IndexFolder, IndexLocked, hold_before_swap, writing
from search_index.results import Hit, Results, hit
from search_index.schema import prepare
from search_index.snapshot import KeptResults, Snapshot, Snapshots

__all__ = ["FILTER_NAMES", "Hit", "IndexLocked", "Results", "SearchIndex"]

SORTS = orders.SEARCH
Progress = Callable[[int, bool], None]  # documents handed over; whether the index is being written
MAX_PER_PAGE = 200


class SearchIndex:
    """The full-text index of the archive's items, in a folder of its own.

    A document is a dict with every key present (values may be empty)::

        {"id": "KT-2024-000123", "type": "photo" | "document", "collection": "fonds/series/file",
         "title": {"vi": …, "en": …}, "description": {"vi": …}, "creator": str, "place": str,
         "subjects": [str], "tags": {"convention": [], "theme": [], "district": [],
         "ethnic-group": [], "decade": ["1970s"]}, "year_start": int, "year_end": int,
         "languages": ["vie"], "access": "public" | "restricted", "added": ISO date-time,
         "updated": ISO date-time, "pages": [{"number": 1, "text": …}],
         "labels": {"vi": [str], "en": [str]}}

    Anything but `"access": "public"` is restricted. `labels`, the names of the item's tags in
    each language, may be absent (documents had none before).

    One writer at a time: `update`, `delete` and `rebuild` take the write lock of the index in
    use (waiting `lock_timeout` seconds for it, then raising `IndexLocked`); a rebuild holds it on
    the old index until the swap, so an update cannot land in an index about to be replaced.
    Searches take no lock, and each reads the latest commit.
    """

    parallel_from = (
        1000  # a rebuild of at least this many documents is indexed by `procs` processes
    )
    progress_every = 1000  # documents between two calls of a rebuild's `progress`

    def __init__(self, folder: Path, *, lock_timeout: float = 2.0, procs: int | None = None):
        self.folder = Path(folder)
        self.procs = procs if procs is not None else min(2, os.cpu_count() or 1)
        self._indexes = IndexFolder(self.folder, lock_timeout=lock_timeout)
        self._snapshots = Snapshots(self._indexes)
        self._kept = KeptResults()

    @classmethod
    def open(
        cls, folder: Path, *, lock_timeout: float = 2.0, procs: int | None = None
    ) -> SearchIndex:
        """The index in `folder`, created empty if there is none."""
        self = cls(folder, lock_timeout=lock_timeout, procs=procs)
        self._indexes.create()
        self._indexes.current()  # a pointer that names no index is an error now, not at a search
        return self

    def close(self) -> None:
        self._snapshots.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -----------------------------------------------------------------------------------------
    # Writing

    def update(self, documents: Iterable[dict]) -> None:
        """Adds the documents, replacing any with the same id."""
        prepared = {p.id: p for p in map(prepare, documents)}  # the last of an id wins
        if not prepared:
            return
        with self._indexes.writer() as writer:
            for document in prepared.values():
                writer.update_document(**document.fields)

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        with self._indexes.writer() as writer:
            for identifier in ids:
                writer.delete_by_term("id", identifier)

    def rebuild(self, documents: Iterable[dict], progress: Progress | None = None) -> int:
        """A new index of `documents`, swapped in for the old one when complete; their count.

        `progress(count, writing)` is called every `progress_every` documents handed to the
        indexing processes, then once with `writing` true when all are and the index is being
        written (its segments merged), which takes a while on a large rebuild."""
        old = self._indexes.current()
        with self._indexes.write_lock(old):
            if self._indexes.current() != old:
                raise IndexLocked("another rebuild replaced the search index meanwhile")
            self._indexes.remove_old(keep={old})
            name = self._indexes.new_index()
            try:
                count = self._fill(self._indexes.index(name), documents, progress)
            except BaseException:
                self._indexes.discard(name)
                raise
            hold_before_swap()
            self._indexes.swap(name)
            return count

    def _fill(
        self, index: whoosh_index.FileIndex, documents: Iterable[dict], progress: Progress | None
    ) -> int:
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
            writer = index.writer(procs=self.procs, multisegment=True, **writing())
        else:
            writer = index.writer(**writing())
        try:
            for count, ready in enumerate(chain(first, stream), 1):
                writer.add_document(**ready.fields)
                if progress and count % self.progress_every == 0:
                    progress(count, False)
            if progress:
                progress(len(seen), True)
        except BaseException:
            _cancel(writer)
            raise
        writer.commit()
        return len(seen)

    # -----------------------------------------------------------------------------------------
    # Reading

    def _snapshot(self) -> AbstractContextManager[Snapshot]:
        """A searcher on the latest commit of the index in use, for one search."""
        return self._snapshots.take()

    def version(self) -> tuple[str, int]:
        """Which commit of which index a search made now reads: it changes with every update,
        delete and rebuild (for those who keep what searches found)."""
        name = self._indexes.current()
        return name, self._indexes.index(name).latest_generation()

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
        sort: str = orders.FIRST,
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
        chosen = check_filters(filters)
        page, per_page = max(1, int(page)), max(1, min(int(per_page), MAX_PER_PAGE))
        asked = (query, public_only, sort, page, per_page, facets)
        key = (*asked, tuple((name, tuple(values)) for name, values in sorted(chosen.items())))
        with self._snapshot() as snapshot:
            found = self._kept.get(snapshot.known, key)
            if found is None:
                found = self._search(snapshot, q.parse(query), chosen, *asked)
                self._kept.put(snapshot.known, key, found)
        return found

    def _search(
        self,
        snapshot: Snapshot,
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
        narrowed = {key: filter_docs(snapshot, key, values) for key, values in chosen.items()}
        matching = intersect(base, narrowed.values())
        hits = self._hits(snapshot, parsed, matching, sort, page, per_page)
        visible = snapshot.all_docs()
        if public_only:
            visible = visible & snapshot.term_docs("access", "public")
        found = counts(snapshot, base, narrowed, chosen, visible) if facets else {}
        return Results(int(np.count_nonzero(matching)), hits, found, page, per_page, query)

    def _base(self, snapshot: Snapshot, parsed: q.Query, public_only: bool) -> np.ndarray:
        """What the query text matches, before the `filters` argument."""
        docs = snapshot.all_docs()
        if public_only:
            docs = docs & snapshot.term_docs("access", "public")
        for clause in sorted(parsed.positive, key=lambda c: c.phrase):  # phrases are slower
            if docs.any():
                docs = docs & snapshot.clause_docs(clause)
        for found in parsed.filters:
            if found.field == "year":
                assert found.years is not None
                selected = snapshot.query_docs(q.year_query(*found.years))
            else:
                fields, value = q.filter_fields(found.field, found.value)
                selected = snapshot.value_docs(fields, [value])
            docs = docs & ~selected if found.negated else docs & selected
        for clause in parsed.negative:
            if docs.any():
                docs = docs & ~snapshot.clause_docs(clause)
        return docs

    def _hits(
        self,
        snapshot: Snapshot,
        parsed: q.Query,
        matching: np.ndarray,
        sort: str,
        page: int,
        per_page: int,
    ) -> list[Hit]:
        start = (page - 1) * per_page
        if start >= np.count_nonzero(matching):
            return []
        searcher = snapshot.searcher
        if not parsed.positive and sort == orders.FIRST:  # nothing to rank by: accession order
            sort = "id"
        order = _ORDERS.get(sort)
        if order is None and not any(c.phrase for c in parsed.positive):
            clauses = [snapshot.clause_scores(clause) for clause in parsed.positive]
            ranked = scoring.ranked(clauses, matching, start + per_page)[start:]
        else:
            # Sorted by a field, the query need not be scored: `matching` already holds its hits.
            # A phrase is ranked by Whoosh's matchers, which read positions.
            results = searcher.search(
                q.positive(parsed) if order is None else wq.Every(),
                filter=set(np.flatnonzero(matching).tolist()),
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
            hits.append(hit(parsed, stored["id"], score, stored["record"]))
        return hits


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
