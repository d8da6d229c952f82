"""What a search returns (`Results`, each hit a `Hit`), and a hit made from what the index keeps
of its item (the record every engine stores)."""

from __future__ import annotations

from dataclasses import dataclass

from search_index.query import Query
from search_index.schema import is_english
from search_index.within import best_passage


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    type: str
    title: dict[str, str]
    year_start: int | None
    snippet: str  # HTML: the text escaped, the query's words in <mark>…</mark>
    page: int | None  # the page the snippet comes from (None: from the description or title)


@dataclass(frozen=True)
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    page: int
    per_page: int
    query: str


def hit(parsed: Query, identifier: str, score: float, record: dict) -> Hit:
    """A hit, its snippet cut from the record's pages (else its description or title)."""
    others = [(t, is_english(lang)) for lang, t in _languages(record["description"])]
    others += [(t, is_english(lang)) for lang, t in _languages(record["title"])]
    pages = [tuple(page) for page in record["pages"]]  # JSON keeps them as lists
    found = best_passage(parsed, pages, others, record.get("folded_pages"))
    return Hit(
        id=identifier,
        score=score,
        type=record["type"],
        title=record["title"],
        year_start=record["year_start"],
        snippet=found.html if found else "",
        page=found.page if found else None,
    )


def _languages(texts: dict[str, str]) -> list[tuple[str, str]]:
    """The language map's entries, Vietnamese first."""
    return sorted(texts.items(), key=lambda item: item[0] != "vi")
