"""Filters and facets: the documents a search's `filters` select, and the counts per value of every
facet, each under the query and the filters of the other facets (disjunctive facets).

Sets of documents are masks (a bool for every document number). A facet's counts are one
`bincount` over every (document, value) pair of its field that the matches take in; the pairs are
kept with what is known of the commit (`Known.facets`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from archive.errors import InvalidInput
from search_index import query as q
from search_index.analysis import fold
from search_index.schema import FACETS, FILTERS
from search_index.snapshot import Snapshot

FILTER_NAMES = (*FILTERS, "year")
ALIASES = {"lang": "language"}


def check_filters(filters: dict[str, list[str]] | None) -> dict[str, list[str]]:
    """The filters by their own names, each with its values as strings; `InvalidInput` for an
    unknown filter or a year that is not a year or a range."""
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


def filter_docs(snapshot: Snapshot, key: str, values: list[str]) -> np.ndarray:
    """The documents with any of `values` in the filter `key`."""
    found = snapshot.none()
    if key == "year":  # any of the ranges
        for low_high in (q.years(v) for v in values):
            if low_high:
                found |= snapshot.query_docs(q.year_query(*low_high))
        return found
    for fields, value in (q.filter_fields(key, value) for value in values):
        found |= snapshot.value_docs(fields, [value])
    return found


def intersect(docs: np.ndarray, others: Iterable[np.ndarray]) -> np.ndarray:
    for other in others:
        docs = docs & other
    return docs


def counts(
    snapshot: Snapshot,
    base: np.ndarray,
    narrowed: dict[str, np.ndarray],
    chosen: dict[str, list[str]],
    visible: np.ndarray,
) -> dict[str, list[tuple[str, int]]]:
    """Counts per value of every facet, each under the query and the filters of the others.
    A chosen value stays in its facet at 0, so that it can be unchosen, if it is `visible`."""
    under: dict[tuple[str, ...], np.ndarray] = {}  # by the filters applied: most facets share one
    found: dict[str, list[tuple[str, int]]] = {}
    for facet, (fieldname, key) in FACETS.items():
        others = tuple(k for k in narrowed if k != key)
        if others not in under:
            under[others] = intersect(base, (narrowed[k] for k in others))
        terms, docs, values = _pairs(snapshot, fieldname)
        tally = np.bincount(values[under[others][docs]], minlength=len(terms))
        selected = {fold(v) for v in chosen.get(key, ())}
        listed = []
        for term, n in zip(terms, tally.tolist(), strict=True):
            if n or (selected and _kept(snapshot, fieldname, term, selected, visible)):
                listed.append((term, n))
        found[facet] = sorted(listed, key=lambda v: (-v[1], v[0]))
    return found


def _kept(
    snapshot: Snapshot, fieldname: str, term: str, selected: set[str], visible: np.ndarray
) -> bool:
    """Whether a value counted 0 stays in its facet: chosen, and held by a visible item."""
    return fold(term) in selected and bool((visible & snapshot.term_docs(fieldname, term)).any())


def _pairs(snapshot: Snapshot, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The field's values, and every (document, value) pair of the commit's live documents as
    two arrays: document numbers, and the value's place in the list."""
    known = snapshot.known.facets
    if fieldname not in known:  # from each segment's kept pairs
        terms = [t for grouped in snapshot.terms(fieldname).values() for t in grouped]
        place = {term: n for n, term in enumerate(terms)}
        docs, values = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for found, segment_docs, places in snapshot.values(fieldname):
            docs.append(segment_docs)
            values.append(np.array([place[t] for t in found], np.int64)[places])
        every, value = np.concatenate(docs), np.concatenate(values)
        live = snapshot.all_docs()[every]  # postings list deleted documents
        known[fieldname] = (terms, every[live], value[live])
    return known[fieldname]
