"""What search engines are told: `/robots.txt` (crawl everything but the API and the search
results, which never end) and `/sitemap.xml` (the home, every public item, collection and
exhibition page). Restricted items are not listed, and a collection holding only restricted
items is not named.

A sitemap holds at most 50,000 addresses (sitemaps.org); beyond that `/sitemap.xml` is a
sitemap index of `/sitemap-N.xml` parts, each of at most 50,000."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Iterator
from datetime import datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, request
from sqlalchemy.orm import Session

from archive import public
from archive.collections import Branch
from archive.home import Archive
from catalogue import services
from exhibitions import publish
from iiif.addresses import item_page_url

blueprint = Blueprint("seo", __name__)

MAX_URLS = 50_000  # per sitemap file, as sitemaps.org allows
MAX_PARTS = 50_000  # sitemaps one index may list
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML = "application/xml; charset=utf-8"
MAX_AGE = 3600  # search engines come back daily at most; an hour is plenty fresh
CRAWL_TRAPS = ("/api/", "/search")  # endless combinations of parameters, nothing not elsewhere

Entry = tuple[str, datetime | None]  # an address, and when it last changed when known


def _pages(archive: Archive, session: Session) -> list[Entry]:
    """Every address but the items': the home, the lists, the exhibitions, the public
    collections."""
    base = archive.settings["base_url"]
    found: list[Entry] = [(f"{base}{path}", None) for path in ("/", "/collections", "/exhibitions")]
    found += [(f"{base}/exhibitions/{quote(e.id)}", None) for e in publish.definitions(archive)]
    found += [(f"{base}/collections/{quote(slug, safe='/')}", None) for slug in _slugs(session)]
    return found


def _slugs(session: Session) -> Iterator[str]:
    def walk(nodes: list[Branch]) -> Iterator[str]:
        for node in nodes:
            yield node.slug
            yield from walk(node.children)

    return walk(public.collections(session))


def _items(base: str, rows: Iterable[tuple[str, datetime]]) -> list[Entry]:
    return [(item_page_url(base, quote(id_)), changed) for id_, changed in rows]


def _lastmod(changed: datetime) -> str:
    return changed.strftime("%Y-%m-%dT%H:%M:%SZ")  # stored in UTC, without its zone


def _urlset(entries: Iterable[Entry]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NAMESPACE}">']
    for loc, changed in entries:
        lastmod = f"<lastmod>{_lastmod(changed)}</lastmod>" if changed else ""
        lines.append(f"<url><loc>{escape(loc)}</loc>{lastmod}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines)


def _index(base: str, parts: int) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{NAMESPACE}">']
    for number in range(1, parts + 1):
        lines.append(f"<sitemap><loc>{escape(f'{base}/sitemap-{number}.xml')}</loc></sitemap>")
    lines.append("</sitemapindex>\n")
    return "\n".join(lines)


def _answer(text: str, content_type: str) -> Response:
    response = Response(text, content_type=content_type)
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)


@blueprint.get("/sitemap.xml")
def sitemap() -> Response:
    """The whole sitemap when it fits in one file (one query for the items), else the index."""
    archive = services.archive()
    base = archive.settings["base_url"]
    with services.reading() as session:
        pages = _pages(archive, session)
        room = max(0, MAX_URLS - len(pages))
        rows = public.changes(session, 0, room + 1)  # one more than fits tells it does not
        if len(pages) + len(rows) <= MAX_URLS:
            return _answer(_urlset([*pages, *_items(base, rows)]), XML)
        count = len(pages) + public.total(session)
    return _answer(_index(base, math.ceil(count / MAX_URLS)), XML)


@blueprint.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int) -> Response:
    """The `number`th 50,000 addresses: the pages first, then the items in accession order."""
    if not 1 <= number <= MAX_PARTS:
        abort(404)
    archive = services.archive()
    base = archive.settings["base_url"]
    start = (number - 1) * MAX_URLS
    with services.reading() as session:
        pages = _pages(archive, session)
        head = pages[start : start + MAX_URLS]
        offset = max(0, start - len(pages))
        rows = public.changes(session, offset, MAX_URLS - len(head))
    if not head and not rows:
        abort(404)
    return _answer(_urlset([*head, *_items(base, rows)]), XML)


@blueprint.get("/robots.txt")
def robots() -> Response:
    base = services.archive().settings["base_url"]
    # The exceptions before `Allow: /`: some robots take the first rule that matches.
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in CRAWL_TRAPS), "Allow: /"]
    lines += ["", f"Sitemap: {base}/sitemap.xml", ""]
    return _answer("\n".join(lines), "text/plain; charset=utf-8")
