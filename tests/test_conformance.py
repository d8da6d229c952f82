"""The IIIF Presentation 3.0 check every published document goes through: the official schema's
errors and the rules it misses, each named with its JSON path. Samples: the IIIF presentation
validator's fixtures and the IIIF Cookbook (see tests/data/iiif/SOURCES.md)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest

import iiif
from iiif import conformance

DATA = Path(__file__).parent / "data" / "iiif"
FIXTURES = sorted((DATA / "validator-fixtures").glob("*.json"))
COOKBOOK = sorted((DATA / "cookbook").glob("*/*.json"))
BROKEN = [path for path in FIXTURES if path.name.startswith("broken_")]

# Not named broken_, yet not valid: each with the problem that shows why.
INVALID_BY_DESIGN = {
    # rights must be a Creative Commons or RightsStatements.org URI; the upstream validator's own
    # tests expect this fixture to fail
    "validator-fixtures/non_cc_license.json": "$.rights: 'https://en.wikipedia.org/wiki/License'",
    # Presentation 2 shapes (a plain-string label, `sequences`) under the Presentation 3 context;
    # expected to fail upstream too
    "validator-fixtures/old_format_label.json": "('sequences' was unexpected)",
    # `@none` instead of `none` as a language, and the https:// form of a Creative Commons URI;
    # upstream has since moved it to fixtures/3/invalid/
    "validator-fixtures/rights_lang_issues.json": "$.label: '@none' does not match",
    # The recipe shows a Canvas whose image is missing as `items: []`. The specification only
    # says a Canvas SHOULD have items; the archive refuses to publish a Canvas that shows nothing.
    "cookbook/0283-missing-image/manifest.json": "$.items[1].items: a Canvas with empty items",
}


def name(path: Path) -> str:
    return path.relative_to(DATA).as_posix()


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


VALID = [p for p in FIXTURES + COOKBOOK if not p.name.startswith("broken_")]
VALID = [p for p in VALID if name(p) not in INVALID_BY_DESIGN]


def test_the_samples_are_there():
    assert len(BROKEN) == 5
    assert len(COOKBOOK) == 29
    assert all((DATA / sample).exists() for sample in INVALID_BY_DESIGN)


@pytest.mark.parametrize("path", BROKEN, ids=name)
def test_every_broken_fixture_has_problems(path):
    assert conformance.problems(load(path))


@pytest.mark.parametrize(
    "sample, problem",
    [
        ("broken_choice.json", "$.items[0]: 'height' is a dependency of 'width'"),
        ("broken_collection.json", "$: 'label' is a required property"),
        ("broken_embedded_annos.json", "$.items[0].items[0]: Additional properties"),
        ("broken_service.json", "$.thumbnail[0].service: "),
        ("broken_simple_image.json", "$.items[0]: 'id' is a required property"),
    ],
)
def test_a_problem_names_where_and_what(sample, problem):
    found = conformance.problems(load(DATA / "validator-fixtures" / sample))
    assert any(p.startswith(problem) for p in found), found


@pytest.mark.parametrize("path", VALID, ids=name)
def test_valid_documents_have_no_problems(path):
    assert conformance.problems(load(path)) == []


@pytest.mark.parametrize("sample, problem", INVALID_BY_DESIGN.items())
def test_documents_invalid_by_design_fail_for_their_reason(sample, problem):
    found = conformance.problems(load(DATA / sample))
    assert any(problem in p for p in found), found


def test_the_schema_is_the_packages_own_copy():
    package = Path(iiif.__file__).parent
    schema = Path(str(conformance.SCHEMA))
    assert schema.is_relative_to(package) and schema.is_file()
    assert json.loads(schema.read_text(encoding="utf-8"))["$id"].startswith("http://iiif.io/")


# Hand-made breakages of a good manifest (a two-page book from the cookbook)

BOOK = load(DATA / "cookbook" / "0009-book-1" / "manifest.json")


def canvas(doc: dict, n: int = 0) -> dict:
    return doc["items"][n]


def painting(doc: dict) -> dict:
    return canvas(doc)["items"][0]["items"][0]


def no_canvases(doc):
    doc["items"] = []


def capital_painting(doc):
    painting(doc)["motivation"] = "Painting"


def empty_canvas(doc):
    canvas(doc)["items"] = []


def width_without_height(doc):
    del canvas(doc)["height"]


def height_without_width(doc):
    del canvas(doc)["width"]


def https_rights(doc):
    doc["rights"] = "https://creativecommons.org/licenses/by/4.0/"


def nav_date_without_timezone(doc):
    doc["navDate"] = "1975-04-30T00:00:00"


def nav_place_without_its_context(doc):
    geometry = {"type": "Point", "coordinates": [108.0, 14.35]}
    feature = {"type": "Feature", "geometry": geometry}
    doc["navPlace"] = {"type": "FeatureCollection", "features": [feature]}


def script_in_metadata(doc):
    value = {"none": ["<p>Kon Tum<script>alert(1)</script></p>"]}
    doc["metadata"] = [{"label": {"en": ["Place"]}, "value": value}]


def javascript_link_in_a_summary(doc):
    doc["summary"] = {"vi": ["<a href='javascript:alert(1)'>xem</a>"]}


def event_handler_in_a_label(doc):
    doc["label"] = {"vi": ['<span onmouseover="alert(1)">Sách</span>']}


def two_canvases_with_one_id(doc):
    canvas(doc, 1)["id"] = canvas(doc, 0)["id"]


def no_label(doc):
    del doc["label"]


def presentation_context_not_last(doc):
    doc["@context"] = [doc["@context"], "http://iiif.io/api/extension/navplace/context.json"]


BREAKAGES: list[tuple[Callable[[dict], None], str]] = [
    (no_canvases, "$.items: a Manifest must have at least one Canvas"),
    (capital_painting, "$.items[0].items[0].items[0].motivation: 'Painting' must be written"),
    (empty_canvas, "$.items[0].items: a Canvas with empty items"),
    (width_without_height, "$.items[0]: 'height' is a dependency of 'width'"),
    (height_without_width, "$.items[0]: 'width' is a dependency of 'height'"),
    (https_rights, "$.rights: 'https://creativecommons.org/licenses/by/4.0/' must be given"),
    (nav_date_without_timezone, "$.navDate: '1975-04-30T00:00:00' has no timezone"),
    (nav_place_without_its_context, "$['@context']: navPlace is used"),
    (script_in_metadata, "$.metadata[0].value['none'][0]: HTML <script> is not published"),
    (javascript_link_in_a_summary, "$.summary['vi'][0]: HTML href 'javascript:alert(1)'"),
    (event_handler_in_a_label, "$.label['vi'][0]: HTML attribute 'onmouseover'"),
    (two_canvases_with_one_id, "$.items[1].id: "),
    (no_label, "$: 'label' is a required property"),
    (presentation_context_not_last, "$['@context']: must end with"),
]


@pytest.mark.parametrize("breakage, problem", BREAKAGES, ids=[b.__name__ for b, _ in BREAKAGES])
def test_each_breakage_of_a_good_manifest_is_caught(breakage, problem):
    assert conformance.problems(BOOK) == []
    broken = copy.deepcopy(BOOK)
    breakage(broken)
    found = conformance.problems(broken)
    assert any(p.startswith(problem) for p in found), found


def test_html_clients_keep_is_no_problem():
    doc = copy.deepcopy(BOOK)
    link = '<a href="https://archive.kontum.gov.vn/items/KT-2024-000001">KT-2024-000001</a>'
    doc["metadata"] = [{"label": {"en": ["Item"]}, "value": {"none": [link]}}]
    doc["summary"] = {"vi": ["<p>Sách <b>quý</b><br/>in năm 1975</p>"]}
    assert conformance.problems(doc) == []


def test_a_collection_is_checked_as_a_collection():
    collection = load(DATA / "validator-fixtures" / "collection.json")
    assert conformance.problems(collection) == []
    del collection["items"][0]["id"]
    assert any(p.startswith("$.items[0]") for p in conformance.problems(collection))
