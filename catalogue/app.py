"""The application factory: one Flask app over one archive home.

Blueprints: `pages` (the public pages), `api` (the JSON API), `seo` (sitemap, robots), `iiif`
(manifests, images, Content Search), `discovery` (IIIF Change Discovery), `oai` (OAI-PMH for
harvesters), `staff` (the signed-in workspace). `i18n` chooses the
language of every request. The search index follows the archive's units of work, so that an edit
made in the workspace is found by the next search.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from flask import Flask, Response, request

from archive.home import Archive
from archive.shared import SharedCache
from archive.usage import Tally
from catalogue.cache import Kept
from search_index.engines import in_database, open_index
from search_index.follow import Follower

# Lists and counts kept between requests, per process (whole pages: page_cache_mb).
# Buys search x9 req/s, p99 /5.5: a search page names collections (catalogue_load, 3 paired runs).
KEPT = 2048
# Items' cards kept likewise (~1 kB each): search p99 /1.3 (catalogue_load, 6 paired runs).
KEPT_PARTS = 20_000
# Pages are also shared by the server's processes through a file (`archive.shared`): ~3-6 kB
# each compressed, so at most ~100 MB on disk. Buys search x2.1 req/s, p99 /2.6, item p99 /1.4
# (catalogue_load, 3 paired runs).
SHARED_PAGES, SHARED_PAGES_KEPT = "pages.sqlite", 20_000


def _style_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# The deep-zoom viewer (OpenSeadragon 6) adds one <style> element of its own, which hides the
# focus ring of its canvas on touch screens; it is allowed by the hash of its exact text. A new
# version that changes it is seen by the browser tests, as a console error.
VIEWER_STYLE = (
    "@media (hover: none) {    .openseadragon-canvas:focus {        outline: none !important;    }}"
)
# No other inline script or style anywhere: every script and stylesheet is a file the app serves.
CSP = (
    f"default-src 'self'; script-src 'self'; style-src 'self' {_style_hash(VIEWER_STYLE)}; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def create_app(home: Path, overrides: dict | None = None) -> Flask:
    """The catalogue of the archive in `home`."""
    from catalogue import api, discovery, i18n, iiif, oai, pages, seo, staff, use

    app = Flask(__name__)
    archive = Archive.open(home, overrides)
    app.extensions["archive"] = archive
    app.extensions["search"] = open_index(archive)
    if not in_database(archive):  # else each unit of work writes its items' documents itself
        archive.subscribers.append(Follower(archive, app.extensions["search"]))
    page_bytes = archive.settings["page_cache_mb"] * 1_000_000
    kept = Kept(archive.engine, KEPT, KEPT_PARTS, page_bytes, _shared_pages(archive, page_bytes))
    app.extensions["catalogue.kept"] = kept
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    i18n.init_app(app)
    for module in (iiif, discovery, api, seo, oai, pages):
        app.register_blueprint(module.blueprint)
    staff.init_app(app, home, archive.settings["base_url"])
    use.init_app(app, Tally(archive))
    app.after_request(_headers)
    return app


def _shared_pages(archive: Archive, page_bytes: int) -> SharedCache | None:
    """The file the server's processes share pages through; None when pages are not kept, or
    the home cannot be written (a catalogue served from a read-only copy keeps them in memory)."""
    if not page_bytes:
        return None
    try:
        (archive.home / "cache").mkdir(exist_ok=True)
    except OSError:
        return None
    return SharedCache(archive.home / "cache" / SHARED_PAGES, SHARED_PAGES_KEPT)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.path.startswith("/iiif/"):
        # IIIF clients on other sites (Mirador, the Ministry's portal) must read these
        response.headers["Access-Control-Allow-Origin"] = "*"
        if request.method == "OPTIONS":
            _preflight(response)
    return response


CORS_METHODS = "GET, HEAD, OPTIONS"
# Allowed when a preflight names none: what IIIF clients send (the spec's Accept with its
# profile, a token of the Authentication API).
CORS_HEADERS = "Accept, Authorization, Content-Type"
CORS_MAX_AGE = 86400  # browsers keep a preflight's answer this long (Chromium: 2 hours at most)
_HEADER_NAMES = re.compile(r"^[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*$")


def _preflight(response: Response) -> None:
    """Answer a CORS preflight: any site may GET with the headers it asks to send (nothing here
    depends on credentials, so none are allowed)."""
    asked = request.headers.get("Access-Control-Request-Headers", "").strip()
    response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
    response.headers["Access-Control-Allow-Headers"] = (
        asked if asked and len(asked) <= 1000 and _HEADER_NAMES.match(asked) else CORS_HEADERS
    )
    response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE)
    response.vary.add("Access-Control-Request-Headers")
