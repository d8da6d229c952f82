"""Relevance: Whoosh's BM25F scores of a word in every document that has it, worked out in one
loop over its postings, and the ranking of a search's matches by the sum of their words' scores.

A hit's score is the one Whoosh's own matchers give it for the same query, as the tests of the
search service check; phrases, which need positions, are left to Whoosh's matchers, with the same
`weighting`.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable

from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from search_index.postings import blocks

B, K1 = 0.75, 1.2  # BM25F's parameters (Whoosh's defaults)

Scores = dict[int, float]  # a score by document number
Clause = tuple[list[Scores], list[Scores]]  # its words' scores, and its accession ids'


def weighting() -> BM25F:
    """Whoosh's scorer with the same parameters, for the searches Whoosh ranks (phrases)."""
    return BM25F(B=B, K1=K1)


def word_scores(
    searcher: Searcher, lengths: dict[str, array], found: Iterable[tuple[str, str, float]]
) -> Scores:
    """The documents with a word (in any of its alternatives, `found`: field, term, boost), and
    its score in each: the sum of its alternatives' BM25F scores, each times its boost, as
    Whoosh's own matchers add them up. `lengths` keeps the documents' field lengths read, by
    field, between calls on the same commit."""
    scores: Scores = {}
    for fieldname, text, boost in found:
        _add_scores(searcher, lengths, scores, fieldname, text, boost)
    return scores


def _add_scores(
    searcher: Searcher,
    lengths: dict[str, array],
    scores: Scores,
    fieldname: str,
    text: str,
    boost: float,
) -> None:
    """Adds `boost` times the term's BM25F score to each document's that has it: Whoosh's
    formula on Whoosh's statistics (idf, average length), in one loop over each segment's
    postings, with the documents' field lengths kept (Whoosh's scorer finds each through
    the segment, its column and a file read; this is several times faster)."""
    reader = searcher.reader()
    if (fieldname, text) not in reader:
        return
    scorable = searcher.schema[fieldname].scorable
    if scorable:
        average = searcher.avg_field_length(fieldname) or 1
        # bm25 = idf·w·(K1+1) / (w + K1·(1 − B + B·length/average)), rearranged
        numerator = boost * searcher.idf(fieldname, text) * (K1 + 1)
        constant, per_length = K1 * (1 - B), K1 * B / average
        known = lengths.get(fieldname)
        if known is None:  # (two searches may both make one; either will do)
            known = array("i", [-1]) * reader.doc_count_all()
            known = lengths.setdefault(fieldname, known)
    for segment, offset in reader.leaf_readers():
        if (fieldname, text) not in segment:
            continue
        for docs, weights in blocks(segment.postings(fieldname, text)):
            for local, weight in zip(docs, weights, strict=True):
                doc = local + offset
                if scorable:
                    length = known[doc]
                    if length < 0:
                        length = segment.doc_field_length(local, fieldname, 1)
                        known[doc] = length
                    score = numerator * weight / (weight + constant + per_length * length)
                else:  # as Whoosh's scorer of an unscored field: the weight (1), boosted
                    score = boost * weight
                scores[doc] = scores.get(doc, 0.0) + score


def ranked(clauses: list[Clause], matching: frozenset[int], limit: int) -> list[tuple[int, float]]:
    """The first `limit` of `matching` by relevance, best first, as Whoosh's matchers score the
    query (without phrases): a clause adds up its words' scores where it has them all, plus the
    score of an accession id it names; clauses add up. Equal scores go in index order.
    (Whoosh's own top-N search skips blocks of postings by their best possible score and now and
    then skips a document that belonged in the page; this does not.)"""
    if any(ids for _, ids in clauses):
        scores = {doc: _score(doc, clauses) for doc in matching}
    else:  # the usual case: every match has every word; add up table by table
        first, *rest = [table for words, _ in clauses for table in words]
        scores = {doc: first[doc] for doc in matching}
        for table in rest:
            scores = {doc: score + table[doc] for doc, score in scores.items()}
    best = heapq.nlargest(limit, scores, key=lambda doc: (scores[doc], -doc))
    return [(doc, scores[doc]) for doc in best]


def _score(doc: int, clauses: list[Clause]) -> float:
    total = 0.0
    for words, ids in clauses:
        if all(doc in table for table in words):
            total += sum(table[doc] for table in words)
        total += sum(table.get(doc, 0.0) for table in ids)
    return total
