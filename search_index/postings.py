"""A term's postings a block at a time: the one module that reads Whoosh's private attributes.

Whoosh's matchers hand postings out a call at a time (`id()`, `weight()`, `next()`), which was
most of the cost of scoring a common word. The leaf matcher of the codec our indexes are written
with (`W3LeafMatcher`) holds each block of postings as two arrays, and `blocks` takes them whole.
Any other matcher (that of a segment with deleted documents, which Whoosh wraps in a filter) is
read through the public calls. tests/test_search_postings.py checks on a real index that Whoosh
still has these attributes and that both ways read the same postings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length

# What `blocks` reads of a `W3LeafMatcher`: the block's document numbers and weights (None until
# read), the methods that read them, and the one that moves to the next block.
BLOCK_ATTRIBUTES = ("_ids", "_weights", "_read_ids", "_read_weights", "_next_block")


def blockwise(postings: Matcher) -> bool:
    """Whether `blocks` can take this matcher's postings a block at a time."""
    return all(hasattr(postings, name) for name in BLOCK_ATTRIBUTES)


def blocks(postings: Matcher) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """The postings left in `postings` (a fresh matcher: at the start of a block), a block at a
    time: (the segment's document numbers, their weights)."""
    whole = blockwise(postings)
    while postings.is_active():
        if not whole:
            yield (postings.id(),), (postings.weight(),)
            postings.next()
            continue
        if postings._ids is None:
            postings._read_ids()
        if postings._weights is None:
            postings._read_weights()
        yield postings._ids, postings._weights
        postings._next_block()


def term_arrays(segment: IndexReader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Every posting of a term in one segment, its deleted documents' too (a segment's postings
    never change, its deletions do: the caller leaves them out with its commit's live
    documents): the segment's document numbers and their weights, as arrays."""
    if (fieldname, text) not in segment:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    postings = segment.postings(fieldname, text)
    if isinstance(postings, FilterMatcher):  # the filter of deleted documents: read beneath it
        postings = postings.child
    docs, weights = [], []
    for ids, found in blocks(postings):
        docs.append(np.array(ids, np.int64))
        weights.append(np.array(found, np.float64))
    if not docs:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    return np.concatenate(docs), np.concatenate(weights)


# A field's length in a document is kept as one byte; Whoosh turns it back into a length so.
_LENGTHS = np.array([byte_to_length(b) or 0 for b in range(256)], np.float64)


def field_lengths(segment: IndexReader, fieldname: str) -> np.ndarray:
    """The length of a field in every document of a segment (as `doc_field_length` reads it,
    one document at a time), read from its column at once."""
    count = segment.doc_count_all()
    if not count:  # an empty index
        return np.ones(0, np.float64)
    column = segment._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:  # no document of the segment has the field
        return np.ones(count, np.float64)
    raw = np.zeros(count, np.uint8)
    stored = min(column._count, count)  # the column ends at the last document with a length
    raw[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), np.uint8)
    return _LENGTHS[raw]
