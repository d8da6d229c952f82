"""The IIIF routes: manifests and Collections (Presentation 3.0; the top Collection leads to
every public item), images (Image 3.0, level 0: the stored tiles and sizes, and a size asked by
one side redirected to a made one), and Content Search (1.0 and 2.0) inside one item. JSON goes
as JSON-LD with its profile to a client that asks for it, compressed to one that accepts gzip.
Restricted items do not exist here: every route answers 404 for them."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    request,
    send_from_directory,
)

from archive import derivatives, public
from archive.errors import NotFound
from archive.home import Archive
from archive.models import Item
from catalogue import gone, services
from exhibitions import publish
from iiif import collections, item_manifests
from iiif.addresses import image_service
from search_index import content_search

blueprint = Blueprint("iiif", __name__, url_prefix="/iiif")

MAX_AGE = 3600  # manifests and info.json: an hour; they change when the record does
TILE_MAX_AGE = 86400 * 30  # tiles change only when rebuilt
WARNED_HOSTS = 20  # hosts remembered as seen (and warned of once), per process


def _archive() -> Archive:
    return services.archive()


@blueprint.record_once
def _know_own_host(state) -> None:
    """base_url's host, worked out once per app: every request is compared with it."""
    base_url = state.app.extensions["archive"].settings["base_url"]
    state.app.extensions["iiif.own_host"] = _host(urlsplit(base_url).netloc, base_url)


@blueprint.before_app_request
def _warn_of_another_host() -> None:
    """Log, once per host and process, requests that arrive for another host than base_url's:
    every IIIF id and citation names base_url, so a visitor who came by another address gets
    ids that may point nowhere. A Host header is parsed once (the item page's time counts it);
    no more than WARNED_HOSTS are remembered (any client can send any Host)."""
    seen = current_app.extensions.setdefault("iiif.hosts_seen", set())
    if request.host in seen:
        return
    base_url = _archive().settings["base_url"]
    if len(seen) < WARNED_HOSTS:
        seen.add(request.host)
    if _host(request.host, base_url) == current_app.extensions["iiif.own_host"]:
        return
    current_app.logger.warning(
        "requests arrive for %s, but base_url is %s, which every IIIF id and citation "
        "names: if visitors use %s, set base_url (archive.toml or ARCHIVE_BASE_URL) to it",
        request.host[:100],
        base_url,
        request.host[:100],
    )


def _host(netloc: str, base_url: str) -> tuple[str, int | None]:
    """A host and port as compared; a missing port is the default of base_url's scheme (a proxy
    in front of the catalogue passes the visitor's Host without it)."""
    default = 443 if base_url.startswith("https:") else 80
    try:
        parts = urlsplit(f"//{netloc}")
        return (parts.hostname or "", parts.port or default)
    except ValueError:  # a Host header that is no host (`[::1`, a port that is no number)
        return (netloc, None)


def _public_item(accession_id: str) -> Item:
    """The public item, or 404: a restricted or unknown id is the same answer."""
    with services.reading() as session:
        try:
            return public.item(session, accession_id)
        except NotFound:
            pass
    gone.check(accession_id, "json")
    abort(404)


# JSON-LD profiles, by the context a document names last: its specification's own.
PROFILES = {
    "http://iiif.io/api/presentation/3/context.json",
    "http://iiif.io/api/image/3/context.json",
}


def _json(document: dict, max_age: int = MAX_AGE) -> Response:
    """`document` as JSON; as JSON-LD with its specification's profile to a client that asks
    for `application/ld+json` (as the specifications require), gzip-compressed to one that
    accepts it."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    media_type = _media_type(document)
    packed = request.accept_encodings.quality("gzip") > 0
    response = Response(body, content_type=media_type)
    response.vary.update(("Accept", "Accept-Encoding"))
    # One ETag per representation: the same document as JSON-LD, or compressed, is another.
    tag = hashlib.sha256(body + media_type.encode()).hexdigest()[:32]
    response.set_etag(f"{tag}-gz" if packed else tag)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response = response.make_conditional(request)
    if packed and response.status_code == 200:
        response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
    return response


def _media_type(document: dict) -> str:
    context = document.get("@context")
    last = context[-1] if isinstance(context, list) and context else context
    if last in PROFILES and "application/ld+json" in request.headers.get("Accept", ""):
        return f'application/ld+json;profile="{last}"'
    return "application/json"


@blueprint.get("/items/<accession_id>/manifest.json")
def item_manifest(accession_id: str) -> Response:
    item = _public_item(accession_id)
    return _json(item_manifests.manifest(_archive(), item))


def _page_folder(accession_id: str, number: int):
    """Where a page's images are; 404 unless the item is public and has the page."""
    with services.reading() as session:
        found = public.page_image(session, accession_id, number)
    if found is None:
        gone.check(accession_id, "json" if request.path.endswith(".json") else "image")
        abort(404)
    return derivatives.folder(_archive().home, *found)


@blueprint.get("/images/<accession_id>/<int:number>/info.json")
def image_info(accession_id: str, number: int) -> Response:
    service = image_service(_archive().settings["base_url"], accession_id, number)
    info = derivatives.served_info(_page_folder(accession_id, number), service)
    if info is None:
        abort(404)
    return _json(info)


@blueprint.get("/images/<accession_id>/<int:number>/<path:image>")
def image(accession_id: str, number: int, image: str) -> Response:
    return served_image(_page_folder(accession_id, number), image)


def served_image(folder, image: str) -> Response:
    """The image `image` of the tree in `folder` (level 0: only what was made), for any cache
    to keep; the staff workspace serves restricted items' pages with it, kept by none."""
    if not image.endswith("/default.jpg"):
        abort(404)  # level 0: only what was made, in the one quality and format
    one_side = _ONE_SIDE.match(image)
    if one_side and not (folder / image).is_file():
        return _nearest_size(folder, one_side.group("width"), one_side.group("height"))
    response = send_from_directory(folder, image, mimetype="image/jpeg", max_age=TILE_MAX_AGE)
    response.cache_control.public = True
    return response


# A size asked by its width or its height alone (`full/90,`, `full/,120`): viewers ask so for
# thumbnails (Universal Viewer: `full/90,`), though a level-0 service offers only its `sizes`.
_ONE_SIDE = re.compile(r"^full/(?:(?P<width>\d{1,6}),|,(?P<height>\d{1,6}))/0/default\.jpg$")


def _nearest_size(folder, width: str | None, height: str | None) -> Response:
    """A redirect to the smallest made size at least as wide (or tall) as asked; 404 when
    the page itself is smaller (level 0 does not enlarge)."""
    info = derivatives.load_info(folder)
    if info is None:
        abort(404)
    side, asked = (0, int(width)) if width else (1, int(height or 0))
    full = (info["width"], info["height"])
    made = [(s["width"], s["height"]) for s in info.get("sizes", [])] + [full]
    found = min((size for size in made if size[side] >= asked), default=None)
    if found is None or asked == 0:
        abort(404)
    size = "max" if found == full else f"{found[0]},{found[1]}"
    # Relative to the address asked (…/full/90,/0/default.jpg), so it holds behind any proxy.
    response = redirect(f"../../{size}/0/default.jpg", code=302)
    response.autocorrect_location_header = False
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response


@blueprint.get("/exhibitions/<slug>/manifest.json")
def exhibition_manifest(slug: str) -> Response:
    archive = _archive()
    try:
        exhibition = publish.find_definition(archive, slug)
    except NotFound:
        abort(404)
    with services.reading() as session:
        return _json(publish.exhibition_manifest(archive, session, exhibition))


_ITEMS_PAGE = re.compile(r"^items-(?P<number>[1-9]\d{0,5})$")


@blueprint.get("/collections/<name>.json")
def collection(name: str) -> Response:
    archive = _archive()
    page = _ITEMS_PAGE.match(name)
    if name == "items" or page:
        with services.reading() as session:
            items = collections.published_items(archive, session)
        if name == "items":
            return _json(collections.items_collection(archive, items))
        try:
            return _json(collections.items_page(archive, items, int(page.group("number"))))
        except NotFound:
            abort(404)
    members = [publish.reference(archive, e) for e in publish.definitions(archive)]
    exhibitions, top = collections.archive_collections(archive, members)
    found = {"exhibitions": exhibitions, "archive": top}.get(name)
    if found is None:
        abort(404)
    return _json(found)


def _pages_words(item: Item) -> list[tuple[int, list]]:
    return [(p.number, p.text.words) for p in item.pages if p.text is not None]


@blueprint.get("/search/<accession_id>")
@blueprint.get("/search/<accession_id>/v1", defaults={"version": 1})
def search(accession_id: str, version: int = 2) -> Response:
    item = _public_item(accession_id)
    page = request.args.get("page", "0")
    answer = content_search.search(
        _archive().settings["base_url"],
        accession_id,
        _pages_words(item),
        request.args.get("q", ""),
        version=version,
        page=int(page) if page.isdigit() and len(page) < 6 else 0,
        motivation=request.args.get("motivation"),
        received=tuple(request.args),
    )
    return _json(answer, max_age=60)


@blueprint.get("/search/<accession_id>/autocomplete")
@blueprint.get("/search/<accession_id>/v1/autocomplete", defaults={"version": 1})
def autocomplete(accession_id: str, version: int = 2) -> Response:
    item = _public_item(accession_id)
    answer = content_search.autocomplete(
        _archive().settings["base_url"],
        accession_id,
        _pages_words(item),
        request.args.get("q", ""),
        version=version,
        motivation=request.args.get("motivation"),
        received=tuple(request.args),
    )
    return _json(answer, max_age=60)
