"""IIIF Change Discovery 1.0 at `/iiif/discovery/`: what IIIF aggregators follow to keep their
copies of the archive's manifests up to date. An Ordered Collection of the Create, Update and
Delete activities of the manifests of items and exhibitions, paged, oldest first and newest
last, from the log of public changes (`archive.published`): the rules of OAI-PMH hold here too
(a withdrawn or restricted item is a Delete; one never public is never named)."""

from __future__ import annotations

import math

from flask import Blueprint, Response, abort, jsonify

from archive import published
from archive.models import PublicChange
from catalogue import services
from iiif.addresses import exhibition_manifest_id, item_manifest_id

blueprint = Blueprint("discovery", __name__)

CONTEXT = "http://iiif.io/api/discovery/1/context.json"
PAGE_SIZE = 1000  # activities a page holds
ACTIVITIES = {"create": "Create", "update": "Update", "delete": "Delete"}
MANIFEST_ID = {published.ITEM: item_manifest_id, published.EXHIBITION: exhibition_manifest_id}
MEDIA_TYPE = 'application/ld+json;profile="http://iiif.io/api/discovery/1/context.json"'


def _base() -> str:
    return services.archive().settings["base_url"] + "/iiif/discovery"


def _page_ref(number: int) -> dict:
    return {"id": f"{_base()}/page-{number}.json", "type": "OrderedCollectionPage"}


def _answer(document: dict) -> Response:
    response = jsonify(document)
    response.content_type = MEDIA_TYPE
    return response


@blueprint.get("/iiif/discovery/all-changes.json")
def collection() -> Response:
    with services.reading() as session:
        total = published.total(session)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return _answer(
        {
            "@context": CONTEXT,
            "id": f"{_base()}/all-changes.json",
            "type": "OrderedCollection",
            "totalItems": total,
            "first": _page_ref(0),
            "last": _page_ref(pages - 1),
        }
    )


@blueprint.get("/iiif/discovery/page-<int:number>.json")
def page(number: int) -> Response:
    with services.reading() as session:
        total = published.total(session)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        if not 0 <= number < pages:
            abort(404)
        rows = published.page(session, number * PAGE_SIZE, PAGE_SIZE)
    document = {
        "@context": CONTEXT,
        "id": f"{_base()}/page-{number}.json",
        "type": "OrderedCollectionPage",
        "startIndex": number * PAGE_SIZE,
        "partOf": {"id": f"{_base()}/all-changes.json", "type": "OrderedCollection"},
    }
    if number > 0:
        document["prev"] = _page_ref(number - 1)
    if number < pages - 1:
        document["next"] = _page_ref(number + 1)
    document["orderedItems"] = [_activity(row) for row in rows]
    return _answer(document)


def _activity(row: PublicChange) -> dict:
    base = services.archive().settings["base_url"]
    return {
        "type": ACTIVITIES[row.activity],
        "object": {"id": MANIFEST_ID[row.kind](base, row.target), "type": "Manifest"},
        "endTime": row.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
