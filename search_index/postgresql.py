"""The search index as a table of the archive's PostgreSQL database, searched by PostgreSQL's own
full-text search: the engine of `search_engine = "postgresql"`, behind the same interface as
`SearchIndex` (the Whoosh engine), answering the same queries the same way.

A unit of work writes the documents of the items it changed in its own transaction
(`write_changes`), so the index and the catalogue can never disagree, and a search sees a change
as soon as it is committed. A document's words are analysed here as for Whoosh
(`search_index.analysis`) and handed to PostgreSQL as a `tsvector` of ready-made lexemes: each
word as written, folded (prefixed `~`) and, in English texts, folded and stemmed (prefixed `=`),
at its position; weighted A in the title, B in the description and the rest of the record's
text, C in the pages. `words` holds every text and finds the matches (through its GIN index
alone, never read); `head`, the record's texts without the pages, small, ranks them: an exact
spelling matches both its forms, a folded one only the folded, so the exact spelling ranks
first. Phrases are `<->` sequences of one form. Facets and filters
are arrays of values (`facet\\x1fvalue` as written, `field=folded value`); each facet's counts
are one GROUP BY over the matching documents under the other facets' filters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from multiprocessing import get_context
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

from archive import orders
from archive.errors import InvalidInput
from search_index import query as q
from search_index.analysis import ValuesTokenizer, fold
from search_index.facets import ALIASES, FILTER_NAMES, check_filters
from search_index.postgresql_text import Sql, base_condition, filter_condition, ordering, row
from search_index.results import Results, hit
from search_index.schema import FACETS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from archive.work import UnitOfWork

__all__ = ["ALIASES", "FILTER_NAMES", "DatabaseIndex", "write_changes"]

Progress = Callable[[int, bool], None]
MAX_PER_PAGE = 200
SEP = ValuesTokenizer.SEPARATOR
TABLE, NEW = "search_documents", "search_documents_new"  # a rebuild's table, until it is done
COLUMNS = ("id", "public", "type", "added", "updated", "year_start", "year_lo", "year_hi")
COLUMNS += ("facets", "filters", "words", "head", "record")


# ---------------------------------------------------------------------------------------------
# The engine


class DatabaseIndex:
    """The search index of an archive whose database is PostgreSQL (see the module's docstring);
    its methods are those of `SearchIndex`. Searches and writes may run at once from any number
    of processes: PostgreSQL isolates them."""

    progress_every = 1000  # documents between two calls of a rebuild's `progress`
    parallel_from = 1000  # a rebuild of at least this many documents is analysed by `procs`

    def __init__(self, engine: Engine, *, procs: int | None = None):
        self.engine = engine
        self.procs = procs if procs is not None else min(2, os.cpu_count() or 1)

    def close(self) -> None:
        pass  # the engine is the archive's

    def __enter__(self) -> DatabaseIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -----------------------------------------------------------------------------------------
    # Writing

    def update(self, documents: Iterable[dict]) -> None:
        """Adds the documents, replacing any with the same id."""
        rows = {r["id"]: r for r in map(row, documents)}  # the last of an id wins
        if rows:
            with self.engine.begin() as connection:
                write(connection, list(rows.values()), [])

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        if ids:
            with self.engine.begin() as connection:
                write(connection, [], ids)

    def rebuild(self, documents: Iterable[dict], progress: Progress | None = None) -> int:
        """Every document replaced by `documents`, in one transaction; their count. They are
        written to a new table, indexed at once (much faster than a row at a time), which then
        takes the place of the old one. Searches go on reading the old table meanwhile; changes
        to the index wait for the rebuild to end."""
        with self.engine.begin() as connection:
            # Taken before the documents are read: a change committed meanwhile waits for the
            # rebuild, then writes its own documents again.
            connection.execute(text(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE"))
            indexes = _indexes(connection)
            connection.execute(
                text(
                    f"CREATE TABLE {NEW} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                    "INCLUDING STORAGE)"
                )
            )
            count = _copy(connection, self._rows(documents), progress, self.progress_every)
            if progress:
                progress(count, True)
            _swap(connection, indexes)
            _next_generation(connection)
        return count

    def _rows(self, documents: Iterable[dict]) -> Iterator[dict]:
        stream = iter(documents)
        first = list(islice(stream, self.parallel_from))
        if len(first) < self.parallel_from or self.procs < 2:
            yield from map(row, first)
            yield from map(row, stream)
            return
        # The analysis is the rebuild's cost: each process analyses its share.
        with get_context("forkserver").Pool(self.procs) as pool:
            yield from pool.imap(row, chain(first, stream), chunksize=64)

    # -----------------------------------------------------------------------------------------
    # Reading

    def version(self) -> tuple[str, int]:
        """Which state of the index a search made now reads: it changes with every write."""
        with self.engine.connect() as connection:
            found = connection.execute(text("SELECT generation FROM search_generation"))
            return "postgresql", found.scalar_one()

    def versions(self) -> dict[str, str]:
        """The `updated` value of every indexed document, by id."""
        with self.engine.connect() as connection:
            found = connection.execute(text("SELECT id, updated FROM search_documents"))
            return {key: value for key, value in found}

    def count(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM search_documents")).scalar_one()

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
        """As `SearchIndex.search`."""
        if sort not in orders.SEARCH:
            raise InvalidInput(f"unknown sort {sort!r}; one of {', '.join(orders.SEARCH)}")
        chosen = check_filters(filters)
        page, per_page = max(1, int(page)), max(1, min(int(per_page), MAX_PER_PAGE))
        parsed = q.parse(query)
        sql = Sql()
        base = base_condition(sql, parsed, public_only)
        narrowed = {key: filter_condition(sql, key, values) for key, values in chosen.items()}
        with self.engine.connect() as connection:
            # The index answers which documents match without reading their words: a plan
            # that reads every row's (a scan, when most match) is many times slower.
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            total, ranked = _page(connection, sql, parsed, base, narrowed, sort, page, per_page)
            records = _records(connection, [identifier for identifier, _ in ranked])
            found = {}
            if facets:
                found = _facets(connection, sql, base, narrowed, chosen, public_only)
        hits = [hit(parsed, i, score, records[i]) for i, score in ranked if i in records]
        return Results(total, hits, found, page, per_page, query)


def _all(conditions: Iterable[str]) -> str:
    return " AND ".join(["true", *conditions])


def _page(
    connection: Connection,
    sql: Sql,
    parsed: q.Query,
    base: str,
    narrowed: dict[str, str],
    sort: str,
    page: int,
    per_page: int,
) -> tuple[int, list[tuple[str, float]]]:
    """How many documents match, and the ids and scores of the page asked for."""
    score, order = ordering(sql, parsed, sort)
    where = f"{base} AND {_all(narrowed.values())}"
    found = connection.execute(
        text(
            f"SELECT id, score, count(*) OVER () FROM (SELECT id, {score} AS score, year_start, "
            f"added FROM search_documents WHERE {where}) matching ORDER BY {order} "
            f"LIMIT {per_page} OFFSET {(page - 1) * per_page}"
        ),
        sql.params,
    ).all()
    if found:
        return found[0][2], [(identifier, float(score)) for identifier, score, _ in found]
    counted = connection.execute(
        text(f"SELECT count(*) FROM search_documents WHERE {where}"), sql.params
    )
    return counted.scalar_one(), []


def _records(connection: Connection, ids: list[str]) -> dict[str, dict]:
    if not ids:
        return {}
    found = connection.execute(
        text("SELECT id, record FROM search_documents WHERE id = ANY(:ids)"), {"ids": ids}
    )
    return {key: value for key, value in found}


def _facets(
    connection: Connection,
    sql: Sql,
    base: str,
    narrowed: dict[str, str],
    chosen: dict[str, list[str]],
    public_only: bool,
) -> dict[str, list[tuple[str, int]]]:
    """Counts per value of every facet, each under the query and the filters of the others (a
    group of documents for each set of filters left out: most facets share one)."""
    groups: dict[tuple[str, ...], int] = {}
    for _, key in FACETS.values():
        groups.setdefault(tuple(k for k in narrowed if k != key), len(groups))
    selects = " UNION ALL ".join(
        f"SELECT {n} AS g, facets FROM base WHERE {_all(narrowed[k] for k in others)}"
        for others, n in groups.items()
    )
    counted = connection.execute(
        text(
            f"WITH base AS MATERIALIZED (SELECT facets, filters, year_lo, year_hi "
            f"FROM search_documents WHERE {base}) "
            f"SELECT g, f, count(*) FROM ({selects}) grouped, unnest(grouped.facets) f "
            "GROUP BY g, f"
        ),
        sql.params,
    )
    tallies: dict[tuple[int, str], dict[str, int]] = {}
    for group, entry, n in counted:
        facet, _, value = entry.partition(SEP)
        tallies.setdefault((group, facet), {})[value] = n
    kept = _chosen_values(connection, chosen, public_only)
    found: dict[str, list[tuple[str, int]]] = {}
    for facet, (_, key) in FACETS.items():
        group = groups[tuple(k for k in narrowed if k != key)]
        tally = tallies.get((group, facet), {})
        selected = {fold(v) for v in chosen.get(key, ())}
        for value in kept.get(facet, ()):
            if fold(value) in selected:
                tally.setdefault(value, 0)  # so that it can be unchosen
        found[facet] = sorted(tally.items(), key=lambda v: (-v[1], v[0]))
    return found


def _chosen_values(
    connection: Connection, chosen: dict[str, list[str]], public_only: bool
) -> dict[str, set[str]]:
    """The values, by facet, of the visible documents a chosen filter selects: a chosen value
    stays in its facet at 0 if any visible item has it."""
    wanted = [
        f"{field}={fold(value)}"
        for key, values in chosen.items()
        if key != "year"
        for fields, value in (q.filter_fields(key, v) for v in values)
        for field in fields
    ]
    if not wanted:
        return {}
    rows = connection.execute(
        text(
            "SELECT DISTINCT f FROM search_documents, unnest(facets) f "
            f"WHERE {'public AND ' if public_only else ''}filters && CAST(:wanted AS text[])"
        ),
        {"wanted": wanted},
    )
    found: dict[str, set[str]] = {}
    for (entry,) in rows:
        facet, _, value = entry.partition(SEP)
        found.setdefault(facet, set()).add(value)
    return found


# ---------------------------------------------------------------------------------------------
# Writing rows


def write(connection: Connection, rows: list[dict], gone: Iterable[str]) -> None:
    """Replaces the documents of `rows`, deletes those of `gone`, and counts a new generation."""
    gone = list(gone)
    if gone:
        connection.execute(text("DELETE FROM search_documents WHERE id = ANY(:ids)"), {"ids": gone})
    if rows:
        names = ", ".join(COLUMNS)
        values = ", ".join(
            f"CAST(:{c} AS {_TYPES[c]})" if c in _TYPES else f":{c}" for c in COLUMNS
        )
        updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "id")
        connection.execute(
            text(
                f"INSERT INTO search_documents ({names}) VALUES ({values}) "
                f"ON CONFLICT (id) DO UPDATE SET {updates}"
            ),
            rows,
        )
    if rows or gone:
        _next_generation(connection)


_TYPES = {"facets": "text[]", "filters": "text[]", "words": "tsvector", "record": "jsonb"}


def _indexes(connection: Connection) -> list[tuple[str, str]]:
    """The name and definition of each index of the table, as the migrations made them."""
    found = connection.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :table "
            "AND schemaname = current_schema()"
        ),
        {"table": TABLE},
    )
    return [(name, definition) for name, definition in found]


def _swap(connection: Connection, indexes: list[tuple[str, str]]) -> None:
    """The new table indexed as the old one, then in its place (a moment's exclusive lock)."""
    connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for name, definition in indexes:
        made = _INDEX.fullmatch(definition)
        assert made, definition
        connection.execute(text(f"{made[1]} {name}_new ON {NEW} {made[3]}"))
    connection.execute(text(f"DROP TABLE {TABLE}"))
    connection.execute(text(f"ALTER TABLE {NEW} RENAME TO {TABLE}"))
    for name, _ in indexes:
        connection.execute(text(f"ALTER INDEX {name}_new RENAME TO {name}"))
        if name.endswith("_pkey"):
            connection.execute(
                text(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {name}")
            )


_INDEX = re.compile(r"(CREATE (?:UNIQUE )?INDEX) (\S+) ON (?:\S+) (USING .*)")


def _next_generation(connection: Connection) -> None:
    connection.execute(text("UPDATE search_generation SET generation = generation + 1"))


def _copy(
    connection: Connection, rows: Iterable[dict], progress: Progress | None, every: int
) -> int:
    """Rows written by COPY, the fastest way in; their count."""
    cursor = connection.connection.dbapi_connection.cursor()
    count = 0
    seen: set[str] = set()
    with cursor.copy(f"COPY {NEW} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for found in rows:
            if found["id"] in seen:
                raise InvalidInput(f"{found['id']}: given twice to the rebuild")
            seen.add(found["id"])
            copy.write_row([found[c] for c in COLUMNS])
            count += 1
            if progress and count % every == 0:
                progress(count, False)
    return count


# ---------------------------------------------------------------------------------------------
# In the unit of work


def write_changes(work: UnitOfWork) -> None:
    """The documents of the items a unit of work changed, written in its transaction: those
    withdrawn or deleted are gone from search as it commits."""
    from archive import indexing

    committed = work.committed
    assert committed is not None
    if not (committed.items or committed.removed):
        return
    session: Session = work.session
    documents = list(
        indexing.documents(session, sorted(committed.items), vocabularies=work.archive.vocabularies)
    )
    rows = [row(d) for d in documents]
    gone = (committed.items - {r["id"] for r in rows}) | committed.removed
    write(session.connection(), rows, sorted(gone))
