"""Restricted items do not exist for the public, on any route of the catalogue. Every route the
app has is walked (read from the app's own URL map, so a route added later is walked without
being named here), its variables filled with every public and restricted accession id, every
collection slug (the one holding only restricted items among them) and every exhibition slug:
no answer may carry a restricted title or id, and every address naming a restricted item must
answer 404, as an unknown one does. The staff workspace (`/staff/`) sends an anonymous visitor to
its sign-in page, which shows nothing of the archive (only the address asked for, to go back to)."""

from __future__ import annotations

import itertools
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from archive.home import Archive
from archive.models import Collection
from tests.conftest import RESTRICTED_TITLE

RESTRICTED = ("mat.jpg", "mat.pdf")
NUMBERS = ("1", "2")  # pages
IIIF_PATHS = ("info.json", "full/max/0/default.jpg")  # below an image service
COLLECTION_NAMES = ("archive", "exhibitions")  # of the IIIF Collections
_VARIABLE = re.compile(r"<(?:([^:<>()]+)(?:\([^<>]*\))?:)?([^<>]+)>")


def _routes() -> list[tuple[str, str, bool]]:
    """(rule, endpoint, answers GET) of every route of an app made over an empty archive home:
    the same routes as any app's, known before the tests run so that each is a test."""
    from catalogue.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        Archive.create(home).close()
        app = create_app(home)
        try:
            rules = app.url_map.iter_rules()
            return sorted({(r.rule, r.endpoint, "GET" in (r.methods or ())) for r in rules})
        finally:
            app.extensions["search"].close()
            app.extensions["archive"].close()


ROUTES = [route for route in _routes() if route[2]]  # every route that answers GET


@pytest.fixture(scope="module")
def values(catalogue_app: Flask, catalogue_home: dict) -> dict[str, list[str]]:
    """What the variables of the routes are filled with."""
    archive = catalogue_app.extensions["archive"]
    with archive.sessions() as session:
        slugs = list(session.scalars(select(Collection.slug)))
    assert "kon-tum/mat" in slugs
    exhibitions = sorted(path.stem for path in (archive.home / "exhibitions").glob("*.yaml"))
    assert exhibitions
    return {
        "ids": list(catalogue_home["ids"].values()),
        "strings": [*catalogue_home["ids"].values(), *slugs, *exhibitions, *COLLECTION_NAMES],
    }


def _choices(converter: str, values: dict[str, list[str]]) -> list[str]:
    if converter in ("int", "float"):
        return list(NUMBERS)
    if converter == "path":
        return [*values["strings"], *IIIF_PATHS]
    return [value for value in values["strings"] if "/" not in value]


def _addresses(rule: Rule, values: dict[str, list[str]]) -> Iterator[tuple[str, set[str]]]:
    """Every address of the rule with its variables filled in every way, and the values used."""
    variables = _VARIABLE.findall(rule.rule)
    pools = [_choices(converter or "default", values) for converter, _ in variables]
    for chosen in itertools.product(*pools):
        yield _filled(rule.rule, chosen), set(chosen)


def _filled(template: str, chosen: tuple[str, ...]) -> str:
    parts = iter(chosen)
    return _VARIABLE.sub(lambda _: quote(next(parts), safe="/"), template)


def _leaks(body: bytes, restricted: set[str]) -> list[str]:
    found = [text for text in ("BIMAT", RESTRICTED_TITLE) if text.encode() in body]
    return found + [accession for accession in restricted if accession.encode() in body]


def _rule(app: Flask, rule: str, endpoint: str) -> Rule:
    return next(r for r in app.url_map.iter_rules() if (r.rule, r.endpoint) == (rule, endpoint))


def _signs_in_first(client, address: str) -> list[str]:
    """What is wrong with the answer to an anonymous visitor at a staff address."""
    with client.get(address) as response:
        status, target = response.status_code, response.headers.get("Location", "")
    if status != 302 or not target.startswith("/staff/login?next="):
        return [f"{address}: {status} to {target!r}, not a redirect to sign in"]
    with client.get(target) as response:
        leaked = _leaks(response.get_data(), set())
    return [f"{address}: the sign-in page shows {', '.join(leaked)}"] if leaked else []


@pytest.mark.parametrize(("rule", "endpoint", "readable"), ROUTES, ids=[r[0] for r in ROUTES])
def test_no_route_shows_a_restricted_item(
    catalogue_app, client, catalogue_home, values, rule, endpoint, readable
):
    restricted = {catalogue_home["ids"][name] for name in RESTRICTED}
    problems = []
    for address, used in _addresses(_rule(catalogue_app, rule, endpoint), values):
        if endpoint.startswith("staff.") and endpoint != "staff.login":
            problems += _signs_in_first(client, address)
            continue
        with client.get(address, follow_redirects=True) as response:
            body, status = response.get_data(), response.status_code
        if status >= 500:
            problems.append(f"{address}: {status}")
        leaked = _leaks(body, restricted)
        if leaked:
            problems.append(f"{address}: shows {', '.join(leaked)}")
        if used & restricted and status != 404:
            problems.append(f"{address}: {status} for a restricted item, not 404")
    assert not problems, "\n".join(problems)


QUERIES = (
    "q=ho+so+mat",
    "q=7731",
    "q=mat&per_page=100",
    "collection=kon-tum/mat",
    "q=&sort=date&per_page=100",
)


@pytest.mark.parametrize(
    ("rule", "endpoint"),
    [(rule, endpoint) for rule, endpoint, readable in ROUTES if readable and "<" not in rule],
    ids=[rule for rule, _, readable in ROUTES if readable and "<" not in rule],
)
def test_no_search_of_any_route_finds_a_restricted_item(client, catalogue_home, rule, endpoint):
    if endpoint == "static" or endpoint.endswith(".static"):
        pytest.skip("the app's own files (scripts, styles, images): no record is in them")
    restricted = {catalogue_home["ids"][name] for name in RESTRICTED}
    for query in QUERIES:
        with client.get(f"{rule}?{query}", follow_redirects=True) as response:
            body, status = response.get_data(), response.status_code
        assert status < 500, f"{rule}?{query}: {status}"
        assert not _leaks(body, restricted), f"{rule}?{query}"


def test_the_walk_reaches_the_api_iiif_and_seo_routes():
    endpoints = {endpoint for _, endpoint, _ in ROUTES}
    assert {
        "api.items",
        "api.item",
        "api.search",
        "seo.sitemap",
        "iiif.item_manifest",
        "iiif.image",
        "iiif.image_info",
        "iiif.search",
    } <= endpoints
