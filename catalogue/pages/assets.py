"""The deep-zoom viewer's files, and the addresses every page links to (the menu, the stylesheet,
the script, the viewer): kept while the app runs, and those of files versioned by their content."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from flask import Response, current_app, request, send_from_directory, url_for

from catalogue.pages.blueprint import blueprint
from iiif import viewer

STATIC = Path(__file__).parent.parent / "static"
ASSET_MAX_AGE = 365 * 86400  # addresses change with the content (`?v=`), so a year is safe


@blueprint.get("/assets/openseadragon/<path:filename>")
def viewer_asset(filename: str) -> Response:
    response = send_from_directory(viewer.FOLDER, filename, max_age=ASSET_MAX_AGE)
    response.cache_control.public = True
    return response


@functools.lru_cache(maxsize=64)
def _version(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "0"


def address(endpoint: str, **values: Any) -> str:
    """url_for, kept: the addresses every page links to (the menu, the stylesheet) do not
    change while the app runs, and a page has a dozen of them. Where the app is mounted
    (`script_root`) is part of the key."""
    kept = current_app.extensions.setdefault("catalogue.addresses", {})
    key = (request.script_root, endpoint, *sorted(values.items()))
    found = kept.get(key)
    if found is None:
        found = kept[key] = url_for(endpoint, **values)
    return found


def asset_url(filename: str) -> str:
    """The address of a file of `static/`, changed whenever its content changes."""
    return address("static", filename=filename, v=_version(STATIC / filename))


def viewer_url(filename: str) -> str:
    """The address of a file of the deep-zoom viewer, changed with the viewer's version (a
    folder's address is left bare: the viewer appends its files' names to it)."""
    version = None if filename.endswith("/") else _version(viewer.SCRIPT)
    return address("pages.viewer_asset", filename=filename, v=version)
