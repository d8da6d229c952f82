"""The scorer reads Whoosh's postings a block at a time, through private attributes of Whoosh's
leaf matcher (search_index/postings.py). These tests fail, saying what changed, if an upgrade of
Whoosh renames those attributes or gives them another meaning."""

from __future__ import annotations

import pytest
import whoosh
from whoosh import index as whoosh_index

from search_index.folder import BLOCK_POSTINGS
from search_index.postings import BLOCK_ATTRIBUTES, blocks, blockwise, field_lengths, term_arrays
from search_index.service import SearchIndex

COUNT = 2 * BLOCK_POSTINGS + 44  # more than two of the index's blocks of postings


def doc(i: int, title: str) -> dict:
    return {
        "id": f"KT-{i:04d}", "type": "document", "collection": None, "title": {"vi": title},
        "description": {}, "creator": None, "place": None, "subjects": [],
        "tags": {"decade": ["1970s"]}, "year_start": 1975, "year_end": None,
        "languages": ["vie"], "access": "public", "added": "2026-01-01T00:00:00",
        "updated": "2026-01-01T00:00:00", "pages": [],
    }  # fmt: skip


# A word in every document, said once to four times (weights 1 to 4); a word in one document; a
# facet value (an unscored field); an accession id.
TERMS = [("title_folded", "trang"), ("title_folded", "doc"), ("decade", "1970s"), ("id", "KT-0007")]


def documents() -> list[dict]:
    return [doc(i, "Trang " * (1 + i % 4) + ("độc" if i == 7 else "")) for i in range(COUNT)]


@pytest.fixture
def index(tmp_path):
    with SearchIndex.open(tmp_path / "index", procs=1) as opened:  # one segment
        opened.rebuild(documents())
        yield opened


@pytest.fixture
def segment_of():
    """The one segment of an index, read with a plain Whoosh reader on the commit its searches
    read."""
    readers = []

    def segment(index: SearchIndex):
        name, _ = index.version()
        readers.append(whoosh_index.open_dir(str(index.folder / name)).reader())
        [(found, _)] = readers[-1].leaf_readers()
        return found

    yield segment
    for reader in readers:
        reader.close()


def by_blocks(postings) -> tuple[int, list[tuple[int, float]]]:
    read = list(blocks(postings))
    return len(read), [(d, w) for ids, weights in read for d, w in zip(ids, weights, strict=True)]


def one_at_a_time(postings) -> list[tuple[int, float]]:
    """What Whoosh's public matcher API gives: each posting's document and weight."""
    found = []
    while postings.is_active():
        found.append((postings.id(), postings.value_as("weight")))
        postings.next()
    return found


def test_whoosh_leaf_matcher_still_has_the_block_arrays_the_scorer_reads(index, segment_of):
    postings = segment_of(index).postings("title_folded", "trang")
    missing = [name for name in BLOCK_ATTRIBUTES if not hasattr(postings, name)]
    kind = f"{type(postings).__module__}.{type(postings).__qualname__}"
    assert not missing, (
        f"Whoosh {whoosh.versionstring()} changed its leaf matcher: {kind} has no {missing}. "
        "search_index/postings.py reads a term's postings a block at a time through them; "
        "without them every posting is scored one call at a time, several times slower. "
        "Read the new matcher and change postings.py to match."
    )
    assert blockwise(postings)


@pytest.mark.parametrize(("fieldname", "text"), TERMS)
def test_postings_read_by_blocks_are_the_ones_whoosh_hands_out_one_at_a_time(
    index, segment_of, fieldname, text
):
    segment = segment_of(index)
    read, found = by_blocks(segment.postings(fieldname, text))
    expected = one_at_a_time(segment.postings(fieldname, text))
    assert found == expected, (
        f"Whoosh {whoosh.versionstring()}: the block arrays of {fieldname}:{text} no longer hold "
        "what its matcher hands out one posting at a time; change search_index/postings.py"
    )
    assert [d for d, _ in found] == list(segment.postings(fieldname, text).all_ids())
    if (fieldname, text) == ("title_folded", "trang"):
        assert read >= 3 and sorted({w for _, w in found}) == [1, 2, 3, 4]


def test_a_segment_with_deleted_documents_is_read_without_them(index, segment_of):
    """Whoosh wraps the postings of a segment with deletions in a filter, which has no blocks:
    they are read one at a time, and the deleted documents are not among them."""
    index.delete([f"KT-{i:04d}" for i in range(0, COUNT, 3)])
    segment = segment_of(index)
    postings = segment.postings("title_folded", "trang")
    assert not blockwise(postings)
    _, found = by_blocks(postings)
    assert found == one_at_a_time(segment.postings("title_folded", "trang"))
    assert len(found) == COUNT - len(range(0, COUNT, 3))
    assert all(d % 3 for d, _ in found)


def test_a_terms_arrays_and_a_fields_lengths_are_what_whoosh_reads_one_at_a_time(index, segment_of):
    """`term_arrays` reads beneath the filter of deleted documents (the caller leaves them out);
    `field_lengths` reads a field's length column whole."""
    index.delete(["KT-0003"])
    segment = segment_of(index)
    docs, weights = term_arrays(segment, "title_folded", "trang")
    assert 3 in docs.tolist() and len(docs) == COUNT  # the deleted one too
    live = one_at_a_time(segment.postings("title_folded", "trang"))
    assert [(d, w) for d, w in zip(docs.tolist(), weights.tolist(), strict=True) if d != 3] == live
    assert len(term_arrays(segment, "title_folded", "absent")[0]) == 0
    lengths = field_lengths(segment, "title_folded")
    assert lengths.tolist() == [segment.doc_field_length(n, "title_folded") for n in range(COUNT)]
    assert sorted(set(lengths.tolist())) == [1, 2, 3, 4, 5]
