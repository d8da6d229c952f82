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

from whoosh.matching import Matcher

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
