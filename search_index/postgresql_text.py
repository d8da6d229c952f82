"""How the PostgreSQL search engine (`search_index.postgresql`) writes for PostgreSQL: a
document as a row (its facets and filters as arrays, its words as a `tsvector` of ready-made
lexemes), a query as a `tsquery` and SQL conditions, and the sort orders."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from itertools import chain
from typing import Any

from archive import orders
from search_index import query as q
from search_index.analysis import ValuesTokenizer, english, fold, tokens
from search_index.schema import ENGLISH_GROUPS, FACETS, FILTERS, TEXT_GROUPS, prepare

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


def ordering(sql: Sql, parsed: q.Query, sort: str) -> tuple[str, str]:
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
