"""Keeping the search index in step with the archive: what each committed unit of work changed
is handed to the index as documents read from the database."""

from __future__ import annotations

from collections.abc import Iterable

from archive import indexing
from archive.home import Archive
from search_index.service import SearchIndex


def update(
    archive: Archive,
    index: SearchIndex,
    accession_ids: Iterable[str],
    removed: Iterable[str] = (),
    heal: bool = False,
) -> None:
    """Index the items named again and drop the removed ones; with `heal`, also index every item
    the index lacks (after a run that stopped between its commit and this)."""
    wanted = set(accession_ids)
    gone = set(removed)
    with archive.session() as session:
        if heal:
            wanted |= indexing.versions(session).keys() - index.versions().keys()
        if wanted:
            index.update(
                indexing.documents(session, sorted(wanted), vocabularies=archive.vocabularies)
            )
    if gone:
        index.delete(sorted(gone))


class Follower:
    """A subscriber of an archive's units of work that keeps an open index up to date at once,
    as the catalogue's workspace needs: an edit is found by the next search."""

    def __init__(self, archive: Archive, index: SearchIndex):
        self.archive, self.index = archive, index

    def __call__(self, committed) -> None:
        if committed.items or committed.removed:
            update(self.archive, self.index, committed.items, committed.removed)
