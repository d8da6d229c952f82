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

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from itertools import chain, islice
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, text

from archive import orders
from archive.errors import InvalidInput
from search_index import query as q
from search_index.analysis import ValuesTokenizer, english, fold, tokens
from search_index.facets import ALIASES, FILTER_NAMES, check_filters
from search_index.results import Results, hit
from search_index.schema import ENGLISH_GROUPS, FACETS, FILTERS, TEXT_GROUPS, prepare

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from archive.work import UnitOfWork

__all__ = ["ALIASES", "FILTER_NAMES", "DatabaseIndex", "write_changes"]

Progress = Callable[[int, bool], None]
MAX_PER_PAGE = 200
FOLDED, ENGLISH = "~", "="  # prefixes of the folded and English lexemes (words have neither)
WEIGHTS = {"title": "A", "meta": "B", "pages": "C"}
# What a hit is ranked by: the record's texts. The pages' words are matched, in `words`, by the
# index alone, never read: a document's pages are a long tsvector, and reading it for every
# match (to rank it) took ten times as long as FTS5 on a common word.
HEAD_GROUPS = ("title", "meta")
PAGE_MATCH = 0.01  # the score of a match in the pages alone
RANK_WEIGHTS = "{0.05, 0.5, 0.75, 1.0}"  # D, C, B, A: pages, meta, title as Whoosh weighs them
MAX_POSITION = 16383  # PostgreSQL's last position: later words are all there
MAX_POSITIONS = 256  # positions PostgreSQL keeps of one lexeme
MAX_LEXEME = 500  # characters (PostgreSQL refuses a lexeme of more than 2047 bytes)
RANK_LENGTH = 1  # a score divided by 1 + the log of the document's length, as BM25 would
ID_RANK = 1000.0  # an item named by its accession id comes first
SEP = ValuesTokenizer.SEPARATOR
TABLE, NEW = "search_documents", "search_documents_new"  # a rebuild's table, until it is done
COLUMNS = ("id", "public", "type", "added", "updated", "year_start", "year_lo", "year_hi")
COLUMNS += ("facets", "filters", "words", "head", "record")
FILTER_FIELDS = tuple(dict.fromkeys(chain(*FILTERS.values())))


# ---------------------------------------------------------------------------------------------
# Documents as rows


def row(document: dict) -> dict[str, Any]:
    """The row of one archive document (the dict `SearchIndex` describes)."""
    ready = prepare(document)
    fields = ready.fields
    record = {k: v for k, v in fields["record"].items() if k != "folded_pages"}
    return {
        "id": ready.id,
        "public": fields["access"] == "public",
        "type": fields["type"],
        "added": fields.get("added", ""),
        "updated": ready.updated,
        "year_start": record["year_start"],
        "year_lo": fields.get("year_lo"),
        "year_hi": fields.get("year_hi"),
        "facets": [
            f"{facet}{SEP}{value}"
            for facet, (fieldname, _) in FACETS.items()
            for value in _split(fields.get(fieldname, ""))
        ],
        "filters": [
            f"{fieldname}={fold(value)}"
            for fieldname in FILTER_FIELDS
            for value in _split(fields.get(fieldname, ""))
        ],
        "words": tsvector(fields, TEXT_GROUPS),
        "head": tsvector(fields, HEAD_GROUPS),
        "record": json.dumps(record, ensure_ascii=False),
    }


def _split(value: str) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in value.split(SEP) if p.strip()))


def tsvector(fields: dict, texts: tuple[str, ...]) -> str:
    """The lexemes of the document's `texts` (of `TEXT_GROUPS`) with their positions and
    weights, as a `tsvector` literal."""
    found: dict[str, list[str]] = {}
    position = 1
    groups = [(f"{g}_exact", WEIGHTS[g], False) for g in texts]
    groups += [(f"{g}_en", WEIGHTS[g], True) for g in texts if g in ENGLISH_GROUPS]
    for fieldname, weight, is_english in groups:
        places = _places(weight)
        for word in tokens(fields.get(fieldname, "")):
            at = places[min(position, MAX_POSITION)]
            for form in _forms(word, is_english):
                kept = found.setdefault(form, [])
                if len(kept) < MAX_POSITIONS:
                    kept.append(at)
            position += 1
        position += 1  # a phrase never runs from one text into the next
    return " ".join(f"{lexeme}:{','.join(at)}" for lexeme, at in found.items())


@lru_cache(maxsize=200_000)
def _forms(word: str, is_english: bool) -> tuple[str, ...]:
    """A word's lexemes, quoted (a document's words are mostly the language's few thousand)."""
    word = word[:MAX_LEXEME]
    if is_english:
        return (_quoted(ENGLISH + english(word)),)
    return (_quoted(word), _quoted(FOLDED + fold(word)))


@cache
def _places(weight: str) -> list[str]:
    """Every position with its weight, as a tsvector writes it."""
    return [f"{n}{weight}" for n in range(MAX_POSITION + 1)]


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# Queries as tsquery


def _any(parts: list[str]) -> str:
    parts = list(dict.fromkeys(parts))
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _word(word: str, exact_only: bool) -> str:
    forms = [word] if exact_only else [word, FOLDED + fold(word), ENGLISH + english(word)]
    return _any([_quoted(form) for form in forms])


def _phrase(words: tuple[str, ...], exact_only: bool) -> str:
    forms = [list(words)]
    if not exact_only:
        forms += [[FOLDED + fold(w) for w in words], [ENGLISH + english(w) for w in words]]
    return _any(["(" + " <-> ".join(_quoted(w) for w in form) + ")" for form in forms])


def clause_tsquery(clause: q.Clause) -> str:
    """One clause as a tsquery: all its words (each in any of its forms), or its phrase."""
    exact_only = clause.negated and any(fold(w) != w for w in clause.words)
    if clause.phrase:
        return _phrase(clause.words, exact_only)
    return "(" + " & ".join(_word(w, exact_only) for w in clause.words) + ")"


# ---------------------------------------------------------------------------------------------
# Conditions


class Sql:
    """Pieces of SQL with their parameters, named as they are made."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def tsquery(self, value: str) -> str:
        return f"CAST({self.param(value)} AS tsquery)"


def _values_condition(sql: Sql, fields: tuple[str, ...], values: list[str]) -> str:
    wanted = [f"{field}={fold(value)}" for field in fields for value in values]
    return f"filters && CAST({sql.param(wanted)} AS text[])"


def _years_condition(sql: Sql, low: int | None, high: int | None) -> str:
    parts = []
    if high is not None:
        parts.append(f"year_lo <= {sql.param(high)}")
    if low is not None:
        parts.append(f"year_hi >= {sql.param(low)}")
    return "COALESCE(" + " AND ".join(parts) + ", false)"


def filter_condition(sql: Sql, key: str, values: list[str]) -> str:
    """The documents with any of `values` in the filter `key`."""
    if key == "year":
        ranges = [q.years(v) for v in values]
        return "(" + " OR ".join(_years_condition(sql, *r) for r in ranges if r) + ")"
    parts = [q.filter_fields(key, value) for value in values]
    return "(" + " OR ".join(_values_condition(sql, f, [v]) for f, v in parts) + ")"


def base_condition(sql: Sql, parsed: q.Query, public_only: bool) -> str:
    """What the query text matches, before the `filters` argument."""
    parts = ["public"] if public_only else ["true"]
    plain = [clause_tsquery(c) for c in parsed.positive if not q.accession_ids(c)]
    plain += ["!" + clause_tsquery(c) for c in parsed.negative]
    if plain:
        parts.append(f"words @@ {sql.tsquery(' & '.join(plain))}")
    for clause in parsed.positive:
        ids = q.accession_ids(clause)
        if ids:
            matched = f"words @@ {sql.tsquery(clause_tsquery(clause))}"
            parts.append(f"({matched} OR id = ANY({sql.param(ids)}))")
    for found in parsed.filters:
        if found.field == "year":
            assert found.years is not None
            condition = _years_condition(sql, *found.years)
        else:
            fields, value = q.filter_fields(found.field, found.value)
            condition = _values_condition(sql, fields, [value])
        parts.append(f"NOT {condition}" if found.negated else condition)
    return " AND ".join(parts)


def _order(sql: Sql, parsed: q.Query, sort: str) -> tuple[str, str]:
    """The score of a hit, and the order of the hits."""
    if not parsed.positive and sort == orders.FIRST:  # nothing to rank by: accession order
        sort = "id"
    if sort != orders.FIRST:
        return "0.0", _ORDERS[sort]
    # Ranked by every form of every word, weighted where found: ranked as a conjunction,
    # PostgreSQL scores by how close the words are to each other, and most reach its ceiling.
    ranked = " | ".join(clause_tsquery(c) for c in parsed.positive)
    score = f"ts_rank('{RANK_WEIGHTS}', head, {sql.tsquery(ranked)}, {RANK_LENGTH}) + {PAGE_MATCH}"
    ids = [i for c in parsed.positive for i in q.accession_ids(c)]
    if ids:
        score += f" + CASE WHEN id = ANY({sql.param(ids)}) THEN {ID_RANK} ELSE 0 END"
    return score, "score DESC, id"


# Ties are broken by id, so that pages never overlap; undated items come last either way.
_ORDERS = {
    "date": "year_start IS NULL, year_start, id",
    "-date": "year_start IS NULL, year_start DESC, id",
    "added": "added DESC, id",
    "id": "id",
}


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
    score, order = _order(sql, parsed, sort)
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
