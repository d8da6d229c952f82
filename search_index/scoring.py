"""Relevance: Whoosh's BM25F scores of a word in every document that has it, worked out in one
loop over its postings, and the ranking of a search's matches by the sum of their words' scores.

A hit's score is the one Whoosh's own matchers give it for the same query, as the tests of the
search service check; phrases, which need positions, are left to Whoosh's matchers, with the same
`weighting`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from whoosh.scoring import BM25F

if TYPE_CHECKING:
    from search_index.snapshot import Snapshot

B, K1 = 0.75, 1.2  # BM25F's parameters (Whoosh's defaults)

Word = tuple[np.ndarray, np.ndarray]  # which documents have it (a mask), its score in each
Clause = tuple[list[Word], list[Word]]  # its words, and its accession ids


def weighting() -> BM25F:
    """Whoosh's scorer with the same parameters, for the searches Whoosh ranks (phrases)."""
    return BM25F(B=B, K1=K1)


def word_scores(snapshot: Snapshot, found: Iterable[tuple[str, str, float]]) -> Word:
    """The documents with a word (in any of its alternatives, `found`: field, term, boost), and
    its score in each: the sum of its alternatives' BM25F scores, each times its boost, as
    Whoosh's own matchers add them up: Whoosh's formula on Whoosh's statistics (idf, average
    length), worked out on each segment's postings as arrays, in the order Whoosh adds them."""
    searcher = snapshot.searcher
    reader = searcher.reader()
    present, scores = snapshot.none(), np.zeros(snapshot.size)
    for fieldname, text, boost in found:
        if (fieldname, text) not in reader:
            continue
        scorable = searcher.schema[fieldname].scorable
        if scorable:
            average = searcher.avg_field_length(fieldname) or 1
            # bm25 = idf·w·(K1+1) / (w + K1·(1 − B + B·length/average)), rearranged
            numerator = boost * searcher.idf(fieldname, text) * (K1 + 1)
            constant, per_length = K1 * (1 - B), K1 * B / average
            lengths = snapshot.lengths(fieldname)
        for docs, weights in snapshot.segment_docs(fieldname, text):
            weights = weights.astype(np.float64)
            if scorable:
                below = weights + constant + per_length * lengths[docs]
                scores[docs] += numerator * weights / below
            else:  # as Whoosh's scorer of an unscored field: the weight (1), boosted
                scores[docs] += boost * weights
            present[docs] = True
    return present, scores


def ranked(clauses: list[Clause], matching: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The first `limit` of `matching` by relevance, best first, as Whoosh's matchers score the
    query (without phrases): a clause adds up its words' scores where it has them all, plus the
    score of an accession id it names; clauses add up. Equal scores go in index order.
    (Whoosh's own top-N search skips blocks of postings by their best possible score and now and
    then skips a document that belonged in the page; this does not.)"""
    total = np.zeros(len(matching))
    if not any(ids for _, ids in clauses):  # the usual case: every match has every word
        for _, scores in (word for words, _ in clauses for word in words):
            total += scores  # in Whoosh's order, so that the sums are the same to the last bit
    for words, ids in clauses if any(ids for _, ids in clauses) else ():
        clause, has_all = np.zeros(len(matching)), np.ones(len(matching), bool)
        for present, scores in words:
            clause += scores
            has_all &= present
        total += np.where(has_all, clause, 0.0)
        named = np.zeros(len(matching))
        for _, scores in ids:
            named += scores
        total += named
    docs = np.flatnonzero(matching)
    found = total[docs]
    if limit < len(docs):  # those that can reach the page: the best `limit`, and their ties
        cut = -np.partition(-found, limit - 1)[limit - 1]
        keep = found >= cut
        docs, found = docs[keep], found[keep]
    order = np.lexsort((docs, -found))[:limit]  # best first; equal scores in index order
    return [(int(d), float(s)) for d, s in zip(docs[order], found[order], strict=True)]
