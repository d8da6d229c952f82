"""What a page reads from its query string (anything unexpected is dropped, never an error), and
the links it writes to the other pages of a list."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import request, url_for

from archive import orders
from search_index import query as search_query
from search_index.service import FILTER_NAMES

PER_PAGE = 20  # items on a page of a list: search results, a collection
MAX_PAGE = 10_000  # deeper than any reader goes
MAX_QUERY = 500  # characters of a search kept (the index reads at most 2000)
MAX_VALUE = 200  # characters of one filter value: slugs and terms are far shorter
MAX_VALUES = 20  # values of one filter
SORTS = orders.PUBLIC_SEARCH
# The filters a search page takes are the search service's (`tag` and `year` are reached from
# an item's tags and dates, not from a facet); its facets, in the order the page shows them.
FILTERS = FILTER_NAMES
FACETS = (
    "type",
    "collection",
    "decade",
    "convention",
    "theme",
    "district",
    "ethnic-group",
    "language",
)
PAGE_WINDOW = 2  # page links shown on each side of the current one
QUERY_SAFE = "!$'()*,/:;?@"  # what url_for leaves unquoted in a query string (werkzeug's)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(value: str, limit: int) -> str:
    """A parameter as NFC text with no control characters (NUL among them), at most `limit`."""
    value = unicodedata.normalize("NFC", value[: limit * 4])
    return _CONTROL.sub(" ", value).strip()[:limit]


def whole_number(name: str, default: int = 1, highest: int = MAX_PAGE) -> int:
    """A positive whole number parameter, at most `highest`; `default` for anything else."""
    raw = request.args.get(name, "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return default
    return min(max(1, int(raw)), highest)


@dataclass
class SearchForm:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = orders.FIRST
    page: int = 1
    more: str | None = None  # the facet shown with all its values (not kept by the links)

    def params(self, **changes: Any) -> dict[str, Any]:
        """The query string of this search with `changes` (a filter's list, `sort`, `page`)."""
        values: dict[str, Any] = {"q": self.q or None, **self.filters}
        values["sort"] = None if self.sort == orders.FIRST else self.sort
        values["page"] = self.page if self.page > 1 else None
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", [])}

    def url(self, **changes: Any) -> str:
        """As url_for writes it; a page of results links to a hundred such searches, and
        url_for took a fifth of the page's time."""
        pairs = [
            (key, value)
            for key, values in self.params(**changes).items()
            for value in (values if isinstance(values, list) else [values])
        ]
        query = urlencode(pairs, safe=QUERY_SAFE)
        return f"{self.path}?{query}" if query else self.path

    @functools.cached_property
    def path(self) -> str:
        return url_for("pages.search")

    def adding(self, name: str, value: str) -> str:
        return self.url(page=None, **{name: [*self.filters.get(name, []), value]})

    def removing(self, name: str, value: str) -> str:
        kept = [v for v in self.filters.get(name, []) if v != value]
        return self.url(page=None, **{name: kept})

    def chosen(self, name: str, value: str) -> bool:
        return value in self.filters.get(name, [])


def search_form() -> SearchForm:
    filters: dict[str, list[str]] = {}
    for name in FILTERS:
        values = [clean(v, MAX_VALUE) for v in request.args.getlist(name)[:MAX_VALUES]]
        values = list(dict.fromkeys(v for v in values if v))
        if name == "year":  # a range the index cannot read is left out, not an error
            values = [v for v in values if search_query.years(v) is not None]
        if values:
            filters[name] = values
    sort = request.args.get("sort", orders.FIRST)
    more = request.args.get("more")
    return SearchForm(
        q=clean(request.args.get("q", ""), MAX_QUERY),
        filters=filters,
        sort=sort if sort in SORTS else orders.FIRST,
        page=whole_number("page"),
        more=more if more in FACETS else None,
    )


# ---------------------------------------------------------------------------------------------
# Pagination


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class Pagination:
    page: int
    last: int
    links: list[PageLink | None]  # None: a gap
    previous: str | None
    next: str | None


def pagination(page: int, total: int, per_page: int, url) -> Pagination | None:
    """Links to the pages around `page`, the first and the last; None for a single page."""
    last = max(1, -(-total // per_page))
    if last == 1:
        return None
    shown = sorted({1, last, *range(max(1, page - PAGE_WINDOW), min(last, page + PAGE_WINDOW) + 1)})
    links: list[PageLink | None] = []
    for number_ in shown:
        if links and links[-1] is not None and number_ - links[-1].number > 1:
            links.append(None)
        links.append(PageLink(number_, url(number_), number_ == page))
    return Pagination(
        page=page,
        last=last,
        links=links,
        previous=url(page - 1) if page > 1 else None,
        next=url(page + 1) if page < last else None,
    )
