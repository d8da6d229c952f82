"""The JSON API: the public items, one item's record, and search, read-only; `openapi.yaml`
beside this module describes every answer. Restricted items do not exist here: they are never
listed or counted, and their ids answer 404 as unknown ones do, with a message that does not
repeat the id."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from flask import Blueprint, Response, abort, request
from werkzeug.exceptions import HTTPException

from archive import derivatives, orders, public
from archive.errors import ArchiveError, InvalidInput, NotFound
from archive.home import Archive
from archive.models import Item
from catalogue import gone, services
from catalogue.i18n import DEFAULT, LANGUAGES
from catalogue.pages.labels import catalogue_messages, language_name
from iiif.addresses import image_service, item_manifest_id, item_page_url
from iiif.presentation import page_images
from search_index.service import FILTER_NAMES, Hit, Results

blueprint = Blueprint("api", __name__, url_prefix="/api")

SPEC = Path(__file__).with_name("openapi.yaml")
JSON = "application/json; charset=utf-8"
YAML = "application/yaml; charset=utf-8"
MAX_AGE = 60  # seconds: short, since an archivist's correction should show within a minute
MAX_PAGE = 10_000  # deeper than any reader goes; also keeps offsets far from integer limits
MAX_PER_PAGE = public.MAX_PER_PAGE
MAX_VALUE = 200  # characters of one filter value: slugs and terms are far shorter
MAX_VALUES = 50  # filter values in one search
FILTERS = FILTER_NAMES  # the search page's: the service's filters
SORTS = orders.PUBLIC_SEARCH
NO_ITEM = "no public item has this id"


# ---------------------------------------------------------------------------------------------
# Answers


def _answer(document: dict) -> Response:
    """A 200 answer with its ETag, cacheable for a minute; 304 to a matching If-None-Match."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return _cacheable(Response(body, content_type=JSON))


def _cacheable(response: Response) -> Response:
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)


def _error(status: int, reason: str) -> Response:
    body = json.dumps({"error": reason}, ensure_ascii=False)
    return Response(body, status=status, content_type=JSON)


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    return _error(error.code or 500, error.description or error.name)


@blueprint.errorhandler(ArchiveError)
def _archive_error(error: ArchiveError) -> Response:
    if error.http_status == 404:
        return _error(404, "not found")  # the archive's message names the id asked for
    if error.http_status >= 500:
        return _error(error.http_status, "the catalogue cannot answer now; try again later")
    return _error(error.http_status, str(error))


# ---------------------------------------------------------------------------------------------
# Parameters: a bad one is a 400 with its reason, never a guess


def _whole_number(name: str, default: int, highest: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise InvalidInput(f"{name} must be a whole number from 1 to {highest}")
    value = int(raw)
    if not 1 <= value <= highest:
        raise InvalidInput(f"{name} must be a whole number from 1 to {highest}")
    return value


def _paging() -> tuple[int, int]:
    return _whole_number("page", 1, MAX_PAGE), _whole_number("per_page", 20, MAX_PER_PAGE)


def _sort() -> str:
    sort = request.args.get("sort", "").strip() or orders.FIRST
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}")
    return sort


def _filters() -> dict[str, list[str]]:
    """The filters asked for, empty values dropped (a form sends them). A value that names
    nothing, however odd its characters, is no error: it matches nothing."""
    chosen: dict[str, list[str]] = {}
    for name in FILTERS:
        values = [v.strip() for v in request.args.getlist(name) if v.strip()]
        if any(len(v) > MAX_VALUE for v in values):
            raise InvalidInput(f"a {name} value is longer than {MAX_VALUE} characters")
        if values:
            chosen[name] = list(dict.fromkeys(values))
    if sum(map(len, chosen.values())) > MAX_VALUES:
        raise InvalidInput(f"more than {MAX_VALUES} filter values")
    return chosen


def _language() -> str:
    """The language languages are named in (`lang`), Vietnamese unless English is asked for."""
    lang = request.args.get("lang", "").strip() or DEFAULT
    if lang not in LANGUAGES:
        raise InvalidInput(f"lang must be one of {', '.join(LANGUAGES)}")
    return lang


def _collection() -> str | None:
    slug = request.args.get("collection", "").strip()
    if len(slug) > MAX_VALUE:
        raise InvalidInput(f"collection is longer than {MAX_VALUE} characters")
    return slug or None


# ---------------------------------------------------------------------------------------------
# Records


def _thumbnail(archive: Archive, item: Item) -> str | None:
    """The URL of the first page's thumbnail, or None when its images are not made."""
    for page in item.pages[:1]:
        facts = derivatives.page_facts(archive.home, page)
        if facts is not None:
            service = image_service(archive.settings["base_url"], item.accession_id, 1)
            width, height = facts.thumbnail
            return f"{service}/full/{width},{height}/0/default.jpg"
    return None


def summary(archive: Archive, item: Item) -> dict:
    """What a list shows of an item, with the addresses of its page and its manifest."""
    base = archive.settings["base_url"]
    return {
        "id": item.accession_id,
        "type": item.type,
        "title": item.title,
        "date": item.date,
        "year_start": item.year_start,
        "collection": item.collection.slug if item.collection else None,
        "thumbnail": _thumbnail(archive, item),
        "url": item_page_url(base, item.accession_id),
        "manifest": item_manifest_id(base, item.accession_id),
    }


def detail(archive: Archive, item: Item) -> dict:
    """The public record of an item, with the addresses of its page, its manifest and the
    image service of each page (None for a page whose images are not made)."""
    base = archive.settings["base_url"]
    document = public.record(item)
    images = page_images(archive, item)
    for page in document["pages"]:
        image = images.get(page["number"])
        page["image"] = image.service if image else None
    document["url"] = item_page_url(base, item.accession_id)
    document["manifest"] = item_manifest_id(base, item.accession_id)
    return document


def search_answer(
    archive: Archive,
    found: Results,
    records: dict[str, Item],
    filters: dict[str, list[str]],
    names_in: tuple[str, ...],
) -> dict:
    """Search results as `/api/search` answers them and `archive search --json` prints them:
    each hit (one of `records`, read from the database; a hit without one is left out) with
    its summary, and the facets, languages named in the languages `names_in`."""
    return {
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "query": found.query,
        "filters": filters,
        "items": [_hit(archive, hit, records[hit.id]) for hit in found.hits if hit.id in records],
        "facets": facets(found, archive.vocabularies, names_in),
    }


def facets(found: Results, vocabularies: dict, names_in: tuple[str, ...]) -> dict[str, list[dict]]:
    """Each facet's values with their counts, and what a value is called: a term of a
    vocabulary in every language it has, a language in the languages `names_in`."""
    shown: dict[str, list[dict]] = {}
    for name, values in found.facets.items():
        shown[name] = []
        for value, count in values:
            entry: dict = {"value": value, "count": count}
            label = _label(name, value, vocabularies, names_in)
            if label:
                entry["label"] = label
            shown[name].append(entry)
    return shown


def _label(
    name: str, value: str, vocabularies: dict, names_in: tuple[str, ...]
) -> dict[str, str] | None:
    if name == "language":
        return {lang: language_name(value, lang, catalogue_messages(lang)) for lang in names_in}
    concept = vocabularies.get(name, {}).get(value)
    return dict(concept.pref) if concept is not None else None


def _hit(archive: Archive, hit: Hit, item: Item) -> dict:
    return summary(archive, item) | {
        "snippet": hit.snippet,
        "score": round(hit.score, 4),
        "page": hit.page,
    }


# ---------------------------------------------------------------------------------------------
# Routes


@blueprint.get("/items")
def items() -> Response:
    page, per_page = _paging()
    collection = _collection()
    archive = services.archive()
    with services.reading() as session:
        total, found = public.items(session, page, per_page, collection)
        listed = [summary(archive, item) for item in found]
    return _answer({"total": total, "page": page, "per_page": per_page, "items": listed})


@blueprint.get("/items/<accession_id>")
def item(accession_id: str) -> Response:
    archive = services.archive()
    with services.reading() as session:
        try:
            found = public.item(session, accession_id)
        except NotFound:
            gone.check(accession_id, "json")
            abort(404, description=NO_ITEM)
        return _answer(detail(archive, found))


@blueprint.get("/search")
def search() -> Response:
    query = request.args.get("q", "")
    filters = _filters()
    sort = _sort()
    lang = _language()
    page, per_page = _paging()
    found = services.search_index().search(
        query, filters=filters, public_only=True, sort=sort, page=page, per_page=per_page
    )
    archive = services.archive()
    with services.reading() as session:
        records = public.by_ids(session, [hit.id for hit in found.hits])
        return _answer(search_answer(archive, found, records, filters, (lang,)))


@blueprint.get("/stats")
def stats() -> Response:
    """The plan's report over public items alone (`archive report --format json`'s document,
    `public_only` true): no restricted or withdrawn item is counted, listed or named."""
    from archive import report
    from archive.report import formats as report_formats
    from archive.report import plan
    from archive.report.periods import parse_day

    chosen = services.remember(("plan",), plan.load)
    start = parse_day(request.args["from"][:20], "from") if request.args.get("from") else None
    end = parse_day(request.args["to"][:20], "to") if request.args.get("to") else None
    by = request.args.get("by", "year")
    key = ("stats", start, end, by, int(time.time() // MAX_AGE))

    def make() -> dict:
        archive = services.archive()
        with services.reading() as session:
            made = report.build(session, chosen, archive.vocabularies, start, end, by, True)
        return report_formats.as_json(made)

    return _answer(services.remember(key, make))


@blueprint.get("/openapi.yaml")
def openapi() -> Response:
    return _cacheable(Response(SPEC.read_bytes(), content_type=YAML))
