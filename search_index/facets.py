"""Filters and facets: the documents a search's `filters` select, and the counts per value of every
facet, each under the query and the filters of the other facets (disjunctive facets).

A facet's counts are worked out on documents as the bits of an int: a value's count under a
match set is then an AND and a bit count, which Python does 64 documents at a time. Each value's
bits are kept with what is known of the commit (`Known.bits`).
"""

from __future__ import annotations

from collections.abc import Iterable

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


def filter_docs(snapshot: Snapshot, key: str, values: list[str]) -> frozenset[int]:
    """The documents with any of `values` in the filter `key`."""
    if key == "year":  # any of the ranges
        ranges = [q.years(v) for v in values]
        return frozenset().union(*(snapshot.query_docs(q.year_query(*r)) for r in ranges if r))
    found = [q.filter_fields(key, value) for value in values]
    return frozenset().union(*(snapshot.value_docs(fields, [value]) for fields, value in found))


def intersect(docs: frozenset[int], others: Iterable[frozenset[int]]) -> frozenset[int]:
    for other in sorted(others, key=len):
        docs &= other
    return docs


def counts(
    snapshot: Snapshot,
    base: frozenset[int],
    narrowed: dict[str, frozenset[int]],
    chosen: dict[str, list[str]],
    visible: frozenset[int],
) -> dict[str, list[tuple[str, int]]]:
    """Counts per value of every facet, each under the query and the filters of the others.
    A chosen value stays in its facet at 0, so that it can be unchosen, if it is `visible`."""
    under: dict[tuple[str, ...], int] = {}  # by the filters applied: most facets share one
    found: dict[str, list[tuple[str, int]]] = {}
    for facet, (fieldname, key) in FACETS.items():
        others = tuple(k for k in narrowed if k != key)
        if others not in under:
            under[others] = _bits(snapshot, intersect(base, (narrowed[k] for k in others)))
        docs = under[others]
        selected = {fold(v) for v in chosen.get(key, ())}
        values = []
        for folded, terms in snapshot.terms(fieldname).items():
            for term in terms:
                n = (docs & _term_bits(snapshot, fieldname, term)).bit_count() if docs else 0
                if n or (folded in selected and visible & snapshot.term_docs(fieldname, term)):
                    values.append((term, n))
        found[facet] = sorted(values, key=lambda v: (-v[1], v[0]))
    return found


def _bits(snapshot: Snapshot, docs: Iterable[int]) -> int:
    """Documents as the bits of an int."""
    found = bytearray(snapshot.searcher.reader().doc_count_all() // 8 + 1)
    for doc in docs:
        found[doc >> 3] |= 1 << (doc & 7)
    return int.from_bytes(found, "little")


def _term_bits(snapshot: Snapshot, fieldname: str, term: str) -> int:
    key, known = (fieldname, term), snapshot.known.bits
    if key not in known:
        known[key] = _bits(snapshot, snapshot.term_docs(fieldname, term))
    return known[key]
