"""What a search returns (`Results`, each hit a `Hit`)."""

from __future__ import annotations

from dataclasses import dataclass


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
