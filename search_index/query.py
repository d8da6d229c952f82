"""The query language, parsed without Whoosh's parser, and its translation into Whoosh queries.

    quyền con người            words, all required, each found exact or folded, in any text field
    "quyền trẻ em"             a phrase: consecutive words (exact or folded)
    -ma  -"tra tấn"            leave out items with that word or phrase
    type:photo  year:1975..1980  tag:CRC  tag:district:sa-thay  collection:fonds/series
    lang:vie  decade:1970s
    district:"Đắk Glei"        a field filter (a leading - excludes); quote values with spaces

Whoosh's own parser is not used: it gives meaning to `AND`, `~`, `^`, `[`, `{`, `*` and field
names, and a malformed query can make it raise. Here anything that is not one of the forms above
is plain words, so no input can fail, and no field outside the list (`access:` among them) can be
named. A word with marks excluded (`-mà`) excludes that spelling only; a word without marks
(`-ma`) excludes every spelling, as its search would have found them all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from whoosh import query as wq

from search_index.analysis import english, fold, tokens
from search_index.schema import ENGLISH_GROUPS, FILTERS, TEXT_GROUPS, VOCABULARIES

MAX_CHARS = 2000  # the rest of a longer query is ignored
MAX_CLAUSES = 32
MAX_PHRASE = 16
MAX_WORD = 64
EXACT_BOOST = 3.0
WEIGHTS = {"title": 2.0, "meta": 1.5, "pages": 1.0}
ID_BOOST = 10.0  # an item named by its accession id comes first

FIELD_NAMES = {name: name for name in FILTERS} | {"lang": "language", "year": "year"}
_FIELD = re.compile(r'([A-Za-z][A-Za-z-]*):(?:"([^"]*)"|([^\s"]+))')
_CHUNK = re.compile(r'[^\s"]+')
_YEARS = re.compile(r"(\d{1,4})?(?:\.\.|[-–])(\d{1,4})?|(\d{1,4})")
_ACCESSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")


@dataclass(frozen=True)
class Clause:
    """Words that must all be present (`phrase`: consecutive, in this order)."""

    words: tuple[str, ...]
    phrase: bool = False
    negated: bool = False
    raw: str = ""  # the chunk as typed, also tried as an accession id


@dataclass(frozen=True)
class FieldFilter:
    field: str  # a key of schema.FILTERS, or "year"
    value: str
    negated: bool = False
    years: tuple[int | None, int | None] | None = None


@dataclass(frozen=True)
class Query:
    text: str
    clauses: tuple[Clause, ...] = ()
    filters: tuple[FieldFilter, ...] = ()

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.negated)

    def patterns(self) -> list[tuple[str, ...]]:
        """What a highlighter looks for: folded words, and folded phrases as sequences."""
        found: list[tuple[str, ...]] = []
        for clause in self.positive:
            words = [fold(w) for w in clause.words]
            found += [tuple(words)] if clause.phrase else [(w,) for w in words]
        return list(dict.fromkeys(found))


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")[:MAX_CHARS]
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Cs") else c for c in text)


def years(value: str) -> tuple[int | None, int | None] | None:
    """`1975..1980`, `1975-1980`, `1975`, `..1980`, `1975..` as (low, high); None if not years."""
    match = _YEARS.fullmatch(value)
    if not match:
        return None
    if match.group(3):
        return int(match.group(3)), int(match.group(3))
    low, high = (int(g) if g else None for g in match.group(1, 2))
    if low is None and high is None:
        return None
    if low is not None and high is not None and high < low:
        low, high = high, low
    return low, high


def _filter(name: str, value: str, negated: bool) -> FieldFilter | None:
    field = FIELD_NAMES.get(name.lower())
    value = value.strip()
    if field is None or not value:
        return None
    if field == "year":
        found = years(value)
        return FieldFilter("year", value, negated, found) if found else None
    return FieldFilter(field, value, negated)


def filter_fields(field: str, value: str) -> tuple[tuple[str, ...], str]:
    """The Whoosh fields a filter's value is looked for in, and the value to look for there:
    `tag:district:sa-thay` names its vocabulary, as `archive item show` prints a tag, and looks
    in that vocabulary alone; `tag:sa-thay` looks in every one."""
    if field == "tag":
        vocabulary, sep, term = value.partition(":")
        if sep and vocabulary.strip().lower() in VOCABULARIES and term.strip():
            return (vocabulary.strip().lower().replace("-", "_"),), term.strip()
    return FILTERS[field], value


def _words(text: str, limit: int) -> tuple[str, ...]:
    return tuple(w[:MAX_WORD] for w in tokens(text)[:limit])


def parse(text: str) -> Query:
    """The query `text` as clauses and filters; never raises."""
    text = _clean(text if isinstance(text, str) else "")
    clauses: list[Clause] = []
    filters: list[FieldFilter] = []
    i = 0
    while i < len(text) and len(clauses) + len(filters) < MAX_CLAUSES:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] in "-−" and i + 1 < len(text) and not text[i + 1].isspace()
        i += negated
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end == -1:  # an unbalanced quote is ignored; what follows is plain words
                i += 1
                continue
            words = _words(text[i + 1 : end], MAX_PHRASE)
            if words:
                clauses.append(Clause(words, len(words) > 1, negated))
            i = end + 1
            continue
        field = _FIELD.match(text, i)
        if field:
            value = field.group(2) if field.group(2) is not None else field.group(3)
            found = _filter(field.group(1), value, negated)
            if found:
                filters.append(found)
                i = field.end()
                continue
        chunk = _CHUNK.match(text, i)
        assert chunk is not None  # text[i] is neither a space nor a quote
        i = chunk.end()
        words = _words(chunk.group(), MAX_PHRASE)
        if words:
            # A chunk of several words (1297/KH-UBND) needs them all; excluded, it is a phrase.
            clauses.append(Clause(words, negated and len(words) > 1, negated, chunk.group()))
    return Query(text, tuple(clauses), tuple(filters))


# ---------------------------------------------------------------------------------------------
# Into Whoosh


def alternatives(word: str, *, exact_only: bool = False) -> list[tuple[str, str, float]]:
    """The (field, term, boost) a word may be found as: exact (boosted), folded, English."""
    folded, stemmed = fold(word), english(word)
    found = [(f"{g}_exact", word, WEIGHTS[g] * EXACT_BOOST) for g in TEXT_GROUPS]
    if not exact_only:
        found += [(f"{g}_folded", folded, WEIGHTS[g]) for g in TEXT_GROUPS]
        found += [(f"{g}_en", stemmed, WEIGHTS[g]) for g in ENGLISH_GROUPS]
    return found


def _has_marks(words: tuple[str, ...]) -> bool:
    return any(fold(w) != w for w in words)


def word_alternatives(clause: Clause) -> list[list[tuple[str, str, float]]]:
    """For a clause that is not a phrase: each of its words' alternatives (all words needed)."""
    exact_only = clause.negated and _has_marks(clause.words)
    return [alternatives(w, exact_only=exact_only) for w in clause.words]


def accession_ids(clause: Clause) -> list[str]:
    """A chunk such as KT-2024-000123 also finds the item with that id."""
    if clause.negated or clause.phrase or len(clause.words) < 2:
        return []
    if not _ACCESSION.fullmatch(clause.raw):
        return []
    return sorted({clause.raw, clause.raw.upper()})


def _phrase(words: tuple[str, ...], *, exact_only: bool = False) -> wq.Query:
    parts: list[wq.Query] = []
    for group in TEXT_GROUPS:
        weight = WEIGHTS[group]
        parts.append(wq.Phrase(f"{group}_exact", list(words), boost=weight * EXACT_BOOST))
        if not exact_only:
            parts.append(wq.Phrase(f"{group}_folded", [fold(w) for w in words], boost=weight))
    if not exact_only:
        stems = [english(w) for w in words]
        parts += [wq.Phrase(f"{g}_en", stems, boost=WEIGHTS[g]) for g in ENGLISH_GROUPS]
    return wq.Or(parts)


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _all(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.And(queries)


def clause_query(clause: Clause) -> wq.Query:
    """The Whoosh query of one clause, scored."""
    if clause.phrase:
        return _phrase(clause.words, exact_only=clause.negated and _has_marks(clause.words))
    words = [
        _any([wq.Term(field, text, boost=boost) for field, text, boost in found])
        for found in word_alternatives(clause)
    ]
    ids = [wq.Term("id", i, boost=ID_BOOST) for i in accession_ids(clause)]
    return _any([_all(words), *ids])


def positive(parsed: Query) -> wq.Query | None:
    """The scored part of the query (None: no words, a browse)."""
    clauses = [clause_query(c) for c in parsed.positive]
    return _all(clauses) if clauses else None


def year_query(low: int | None, high: int | None) -> wq.Query:
    """Items whose years overlap [low, high] (either bound may be open)."""
    parts: list[wq.Query] = []
    if high is not None:
        parts.append(wq.NumericRange("year_lo", None, high))
    if low is not None:
        parts.append(wq.NumericRange("year_hi", low, None))
    return parts[0] if len(parts) == 1 else wq.And(parts)
