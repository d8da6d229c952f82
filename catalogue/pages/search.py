"""The search page, `/search`: the results of a search with its filters, the facets that narrow
it, and the filters chosen."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import Response, abort, render_template, request
from markupsafe import Markup

from archive.errors import InvalidInput
from catalogue import services
from catalogue.i18n import Localized, current
from catalogue.pages.blueprint import blueprint, kept_page
from catalogue.pages.cards import kept_cards
from catalogue.pages.collections import titles_of_collections
from catalogue.pages.forms import FACETS, PER_PAGE, SORTS, SearchForm, pagination, search_form
from catalogue.pages.labels import facet_label, sort_label, value_label

FACET_VALUES = 10  # values of a facet shown before "show all"


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    label: Localized
    chosen: bool
    url: str


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue]
    total: int = 0  # values in all, when some are not shown
    more: str | None = None  # the search again with all of them


@dataclass(frozen=True)
class Chosen:
    name: str
    label: str
    value: Localized
    remove: str


@blueprint.get("/search")
def search() -> Response:
    # The page at this address in this language, kept until the database or the search index
    # next changes (the same search again, the next visitor's, is then served as it was made).
    index = services.search_index().version()
    return kept_page(("search", current(), request.query_string, index), _search_page)


def _search_page() -> str:
    form = search_form()
    archive = services.archive()
    results = _search(form)
    titles = titles_of_collections(full=True)
    found = kept_cards(archive, [(hit.id, hit.page) for hit in results.hits])
    hits = [
        # without words there is nothing to show in context: the snippet is the title again
        replace(found[hit.id, hit.page], snippet=Markup(hit.snippet) if form.q else "")
        for hit in results.hits
        if (hit.id, hit.page) in found  # restricted since it was indexed: not shown
    ]
    return render_template(
        "search/search.html",
        form=form,
        results=results,
        hits=hits,
        facets=facets(results.facets, form, titles),
        chosen=chosen_filters(form, titles),
        pages=pagination(form.page, results.total, PER_PAGE, lambda n: form.url(page=n)),
        sorts=[(s, sort_label(s)) for s in SORTS],
    )


def _search(form: SearchForm):
    index = services.search_index()

    def run():
        return index.search(
            form.q,
            filters=form.filters,
            public_only=True,
            sort=form.sort,
            page=form.page,
            per_page=PER_PAGE,
        )

    try:
        results = run()
        last = max(1, -(-results.total // PER_PAGE))
        if form.page > last:  # past the end (an old link): the last page instead
            form.page = last
            results = run()
    except InvalidInput:
        abort(400)
    return results


def facets(
    counts: dict[str, list[tuple[str, int]]], form: SearchForm, titles: dict[str, Localized]
) -> list[Facet]:
    """Each facet's most frequent values (and the chosen ones), with a link to all of them:
    a common word in an archive of fonds, series and files met 500 collections, and a page
    listing them all weighed 150 kB and took longer to make than the search itself."""
    shown = []
    for name in FACETS:
        found = counts.get(name, [])
        if not found:
            continue
        kept = found
        if name != form.more and len(found) > FACET_VALUES:
            kept = [v for n, v in enumerate(found) if n < FACET_VALUES or form.chosen(name, v[0])]
        values = [facet_value(name, value, count, form, titles) for value, count in kept]
        facet = Facet(name, facet_label(name), values)
        if len(kept) < len(found):
            facet = Facet(name, facet.label, values, len(found), form.url(more=name))
        shown.append(facet)
    return shown


def facet_value(
    name: str, value: str, count: int, form: SearchForm, titles: dict[str, Localized]
) -> FacetValue:
    chosen = form.chosen(name, value)
    return FacetValue(
        value=value,
        count=count,
        label=value_label(name, value, titles),
        chosen=chosen,
        url=form.removing(name, value) if chosen else form.adding(name, value),
    )


def chosen_filters(form: SearchForm, titles: dict[str, Localized]) -> list[Chosen]:
    return [
        Chosen(
            name, facet_label(name), value_label(name, value, titles), form.removing(name, value)
        )
        for name, values in form.filters.items()
        for value in values
    ]
