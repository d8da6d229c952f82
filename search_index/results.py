"""What a search returns (`Results`, each hit a `Hit`), and the JSON it is kept as in the file of
results a server's processes share (see `search_index.snapshot`)."""

from __future__ import annotations

import json
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


def encoded(found: Results) -> bytes:
    """Results as JSON. Not `dataclasses.asdict`, which deep-copies every value."""
    value = {**vars(found), "hits": [vars(hit) for hit in found.hits]}
    return json.dumps(value, ensure_ascii=False).encode()


def decoded(kept: bytes) -> Results:
    """Results from their JSON (where lists stand for the tuples they were)."""
    value = json.loads(kept)
    facets = {name: [(v, n) for v, n in values] for name, values in value["facets"].items()}
    return Results(**{**value, "hits": [Hit(**h) for h in value["hits"]], "facets": facets})
