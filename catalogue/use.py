"""Counting the use of the online catalogue (`archive.usage`): each item page, search and
manifest answered is one more in the day's count, of its item; nothing about who asked."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

from archive.usage import Tally

# endpoint -> the route it is counted under; those of an item are counted per item
COUNTED = {
    "pages.item": "item",
    "api.item": "item",
    "iiif.item_manifest": "manifest",
    "pages.search": "search",
    "api.search": "search",
}
TALLY = "catalogue.use"


def init_app(app: Flask, tally: Tally) -> None:
    """Count `app`'s answers in `tally`; whoever ends the app writes what is left (the server
    does as a worker exits)."""
    app.extensions[TALLY] = tally
    app.after_request(_count)


def _count(response: Response) -> Response:
    route = COUNTED.get(request.endpoint or "")
    if route is None or response.status_code not in (200, 304):
        return response
    if route == "search" and not request.args.get("q", "").strip():
        return response  # the search page opened, nothing searched
    key = (request.view_args or {}).get("accession_id", "")
    current_app.extensions[TALLY].count(route, key)
    return response
