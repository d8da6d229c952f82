"""The search engine an archive's settings choose (`search_engine`): Whoosh's index in the
archive home (`search_index.service`), or PostgreSQL's full-text search in its database
(`search_index.postgresql`). Both answer the same calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.home import Archive
    from search_index.postgresql import DatabaseIndex
    from search_index.service import SearchIndex


def in_database(archive: Archive) -> bool:
    """Whether the index is written by each unit of work itself (nothing to hand over)."""
    return archive.settings["search_engine"] == "postgresql"


def open_index(archive: Archive, **options) -> SearchIndex | DatabaseIndex:
    """The archive's search index, open; `options` as `SearchIndex.open` takes them (`procs`
    alone means something to both)."""
    if in_database(archive):
        from search_index.postgresql import DatabaseIndex

        return DatabaseIndex(archive.engine, procs=options.get("procs"))
    from search_index.service import SearchIndex

    return SearchIndex.open(archive.home / "index", **options)
