"""The JSON API as a script or another site uses it: public items, one item's record, search
with facets; bad parameters refused with a reason; answers cached with ETags. Every answer the
tests get is checked against the schema `catalogue/openapi.yaml` gives for its path and status,
and the document itself is checked against the app's routes. `archive serve` serves it all."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from flask import Flask
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

from catalogue.api import SPEC
from tests.conftest import RESTRICTED_TITLE, first_line

BASE = "http://localhost:8000"
JSON = "application/json; charset=utf-8"
DOCUMENT = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
URI = "urn:tulieu:openapi"
REGISTRY = Registry().with_resource(URI, DRAFT202012.create_resource(DOCUMENT))
PUBLIC = ("anh-0.jpg", "anh-1.jpg", "anh-2.jpg", "ke-hoach.pdf")
RESTRICTED = ("mat.jpg", "mat.pdf")


@pytest.fixture
def ids(catalogue_home) -> dict:
    return catalogue_home["ids"]


# ---------------------------------------------------------------------------------------------
# Checking answers against openapi.yaml


def _escaped(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _resolved(pointer: str) -> tuple[str, dict]:
    """The object at `pointer` in the document, following a `$ref`; and where it really is."""
    found = REGISTRY.resolver(URI).lookup(f"{URI}#{pointer}").contents
    if "$ref" in found:
        return _resolved(found["$ref"].removeprefix("#"))
    return pointer, found


def schema_errors(document, pointer: str) -> list[str]:
    """What is wrong with `document` under the schema at `pointer` in openapi.yaml."""
    validator = Draft202012Validator({"$ref": f"{URI}#{pointer}"}, registry=REGISTRY)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def conforms(response: TestResponse, path: str) -> dict | None:
    """Check the answer against what the document says of `path` and the answer's status;
    return its JSON body."""
    status = str(response.status_code)
    responses = DOCUMENT["paths"][path]["get"]["responses"]
    assert status in responses, f"{path} answered {status}, which is not documented"
    where, documented = _resolved(f"/paths/{_escaped(path)}/get/responses/{status}")
    if "content" not in documented:
        assert response.get_data() == b"", f"{path} {status} has a body, documented as none"
        return None
    if "application/json" not in documented["content"]:
        return None
    assert response.headers["Content-Type"] == JSON
    body = json.loads(response.get_data(as_text=True))
    errors = schema_errors(body, f"{where}/content/application~1json/schema")
    assert not errors, f"{path} {status}: " + "; ".join(errors)
    return body


def get(client, url: str, path: str, **kwargs) -> tuple[TestResponse, dict | None]:
    response = client.get(url, **kwargs)
    return response, conforms(response, path)


# ---------------------------------------------------------------------------------------------
# /api/items


def test_the_list_holds_the_public_items_only_with_absolute_addresses(client, ids):
    response, body = get(client, "/api/items?per_page=100", "/api/items")
    assert response.status_code == 200
    assert body["total"] == len(PUBLIC)
    assert {item["id"] for item in body["items"]} == {ids[name] for name in PUBLIC}
    assert RESTRICTED_TITLE not in response.get_data(as_text=True)
    for item in body["items"]:
        assert item["url"] == f"{BASE}/items/{item['id']}"
        with client.get(item["manifest"].removeprefix(BASE)) as manifest:
            assert manifest.status_code == 200
        with client.get(item["thumbnail"].removeprefix(BASE)) as thumbnail:
            assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"


def test_the_list_goes_page_by_page_and_by_collection(client, ids):
    pages = [get(client, f"/api/items?per_page=3&page={n}", "/api/items")[1] for n in (1, 2, 3)]
    assert [len(page["items"]) for page in pages] == [3, 1, 0]
    listed = [item["id"] for page in pages for item in page["items"]]
    assert sorted(listed) == sorted(ids[name] for name in PUBLIC)
    photos = get(client, "/api/items?collection=kon-tum/anh", "/api/items")[1]
    assert photos["total"] == 3 and {i["collection"] for i in photos["items"]} == {"kon-tum/anh"}
    assert get(client, "/api/items?collection=kon-tum", "/api/items")[1]["total"] == len(PUBLIC)
    hidden = get(client, "/api/items?collection=kon-tum/mat", "/api/items")[1]
    assert hidden == {"total": 0, "page": 1, "per_page": 20, "items": []}


# ---------------------------------------------------------------------------------------------
# /api/items/<id>


def test_a_record_has_its_text_and_the_image_service_of_each_page(client, ids):
    accession = ids["ke-hoach.pdf"]
    _, record = get(client, f"/api/items/{accession}", "/api/items/{accession_id}")
    assert record["id"] == accession and record["type"] == "document"
    assert record["url"] == f"{BASE}/items/{accession}"
    assert record["manifest"] == f"{BASE}/iiif/items/{accession}/manifest.json"
    page = record["pages"][0]
    assert "Ke hoach tuyen truyen ve quyen con nguoi" in page["text"]
    assert page["image"] == f"{BASE}/iiif/images/{accession}/1"
    info = client.get(page["image"].removeprefix(BASE) + "/info.json").get_json()
    assert info["id"] == page["image"]


def test_a_photo_record_has_its_titles_date_and_place(client, ids):
    _, record = get(client, f"/api/items/{ids['anh-0.jpg']}", "/api/items/{accession_id}")
    assert record["title"] == {"vi": "Nhà rông làng Kon Klor", "en": "The Kon Klor communal house"}
    assert record["date"] == "1975" and record["year_start"] == 1975
    assert record["latitude"] == pytest.approx(14.35, abs=1e-3)
    assert record["collection"] == "kon-tum/anh"


def test_restricted_and_unknown_ids_get_the_same_404_which_names_neither(client, ids):
    answers = set()
    for accession in (ids["mat.jpg"], ids["mat.pdf"], "KT-1900-000001", "nothing"):
        response, body = get(client, f"/api/items/{accession}", "/api/items/{accession_id}")
        assert response.status_code == 404
        assert accession not in response.get_data(as_text=True)
        answers.add(body["error"])
    assert len(answers) == 1


# ---------------------------------------------------------------------------------------------
# /api/search


def test_search_finds_words_without_diacritics_and_marks_them(client, ids):
    _, body = get(client, "/api/search?q=quyen+con+nguoi", "/api/search")
    assert [hit["id"] for hit in body["items"]] == [ids["ke-hoach.pdf"]]
    hit = body["items"][0]
    assert "<mark>" in hit["snippet"] and hit["score"] > 0 and hit["page"] == 1
    assert hit["url"] == f"{BASE}/items/{ids['ke-hoach.pdf']}"
    assert body["query"] == "quyen con nguoi"
    titled = get(client, "/api/search?q=nha+rong", "/api/search")[1]
    assert [hit["id"] for hit in titled["items"]] == [ids["anh-0.jpg"]]


def test_search_filters_sorts_and_counts_facets(client, ids):
    _, photos = get(client, "/api/search?type=photo&sort=date", "/api/search")
    assert photos["filters"] == {"type": ["photo"]}
    assert [hit["year_start"] for hit in photos["items"]] == [1975, 1998, 2019]
    types = {entry["value"]: entry["count"] for entry in photos["facets"]["type"]}
    assert types == {"photo": 3, "document": 1}  # a facet's counts leave out its own filter
    newest = get(client, "/api/search?type=photo&sort=-date", "/api/search")[1]
    assert [hit["year_start"] for hit in newest["items"]] == [2019, 1998, 1975]
    both = get(client, "/api/search?type=photo&type=document&type=", "/api/search")[1]
    assert both["total"] == len(PUBLIC) and both["filters"] == {"type": ["photo", "document"]}
    second = get(client, "/api/search?per_page=3&page=2", "/api/search")[1]
    assert (second["page"], second["per_page"], len(second["items"])) == (2, 3, 1)


def test_search_filters_on_vocabulary_terms_and_names_them(client, ids):
    _, body = get(client, "/api/search?theme=education", "/api/search")
    assert [hit["id"] for hit in body["items"]] == [ids["anh-2.jpg"]]
    themes = {entry["value"]: entry for entry in body["facets"]["theme"]}
    assert themes["education"]["count"] == 1
    assert themes["education"]["label"] == {"vi": "Giáo dục", "en": "Education"}
    decades = {entry["value"]: entry["count"] for entry in body["facets"]["decade"]}
    assert decades == {"2010s": 1}


def test_search_takes_the_search_pages_tag_and_year_filters(client, ids):
    _, body = get(client, "/api/search?year=1990..2000&year=2019", "/api/search")
    assert {hit["id"] for hit in body["items"]} == {ids["anh-1.jpg"], ids["anh-2.jpg"]}
    assert body["filters"] == {"year": ["1990..2000", "2019"]}
    tagged = get(client, "/api/search?tag=education", "/api/search")[1]
    assert [hit["id"] for hit in tagged["items"]] == [ids["anh-2.jpg"]]
    response, refused = get(client, "/api/search?year=nineteen", "/api/search")
    assert response.status_code == 400 and "year" in refused["error"]


@pytest.fixture(scope="module")
def languages_client(tmp_path_factory, shared_database):
    """The API of an archive whose one item is in Vietnamese and Ba Na."""
    from click.testing import CliRunner

    from catalogue.app import create_app
    from tests.conftest import Cli, make_image

    root = tmp_path_factory.mktemp("languages")
    run = Cli(CliRunner(), shared_database.prepare(root / "home"), root)
    assert run("init").exit_code == 0
    make_image(root / "in" / "a.jpg")
    (root / "in" / "metadata.csv").write_text(
        "file,title,language\na.jpg,Lễ hội cồng chiêng,vie;bdq\n", encoding="utf-8"
    )
    assert run.ingest(root / "in")[0].exit_code == 0
    app = create_app(root / "home")
    yield app.test_client()
    app.extensions["search"].close()
    app.extensions["archive"].close()


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", {"bdq": {"vi": "Tiếng Ba Na"}, "vie": {"vi": "Tiếng Việt"}}),
        ("?lang=vi", {"bdq": {"vi": "Tiếng Ba Na"}, "vie": {"vi": "Tiếng Việt"}}),
        ("?lang=en", {"bdq": {"en": "Bahnar"}, "vie": {"en": "Vietnamese"}}),
    ],
)
def test_the_language_facet_names_the_languages_in_the_requests_language(
    languages_client, query, names
):
    _, body = get(languages_client, f"/api/search{query}", "/api/search")
    found = {entry["value"]: entry["label"] for entry in body["facets"]["language"]}
    assert found == names


@pytest.mark.parametrize(
    "query", ["q=BIMAT", "q=ho+so+mat", "q=7731", "collection=kon-tum/mat", "q=&per_page=100"]
)
def test_search_never_finds_or_counts_restricted_items(client, ids, query):
    response, body = get(client, f"/api/search?{query}", "/api/search")
    text = response.get_data(as_text=True)
    assert not {ids[name] for name in RESTRICTED} & {hit["id"] for hit in body["items"]}
    assert ids["mat.jpg"] not in text and ids["mat.pdf"] not in text
    assert sum(entry["count"] for entry in body["facets"]["type"]) <= len(PUBLIC)
    assert all(entry["value"] != "kon-tum/mat" for entry in body["facets"]["collection"])


# ---------------------------------------------------------------------------------------------
# Bad parameters


@pytest.mark.parametrize(
    ("url", "path", "reason"),
    [
        ("/api/items?page=abc", "/api/items", "page"),
        ("/api/items?page=0", "/api/items", "page"),
        ("/api/items?page=-1", "/api/items", "page"),
        ("/api/items?page=1.5", "/api/items", "page"),
        ("/api/items?page=99999999999999999999999", "/api/items", "page"),
        ("/api/items?page=%D9%A1", "/api/items", "page"),  # an Arabic-Indic digit one
        ("/api/items?per_page=100000", "/api/items", "per_page"),
        ("/api/items?per_page=0", "/api/items", "per_page"),
        ("/api/items?collection=" + "a" * 201, "/api/items", "collection"),
        ("/api/search?sort=x", "/api/search", "sort"),
        ("/api/search?sort=added", "/api/search", "sort"),
        ("/api/search?lang=fr", "/api/search", "lang"),
        ("/api/search?page=abc", "/api/search", "page"),
        ("/api/search?per_page=101", "/api/search", "per_page"),
        ("/api/search?type=" + "x" * 201, "/api/search", "type"),
        ("/api/search?" + "&".join(f"theme=t{n}" for n in range(51)), "/api/search", "filter"),
    ],
)
def test_a_bad_parameter_is_refused_with_its_reason(client, url, path, reason):
    response, body = get(client, url, path)
    assert response.status_code == 400
    assert reason in body["error"]


@pytest.mark.parametrize(
    "query",
    [
        "type=%FF%FE%00",
        "decade=%3Cscript%3E",
        "district=%C0%AF..%2F",
        "q=%FF%00%22%22%22-",
        "language=vie&language=%E2%80%AE",
        "collection=kon-tum%2F%00",
    ],
)
def test_a_filter_value_that_names_nothing_matches_nothing(client, query):
    response, body = get(client, f"/api/search?{query}", "/api/search")
    assert response.status_code == 200
    if not query.startswith("q="):
        assert body["total"] == 0 and body["items"] == []


# ---------------------------------------------------------------------------------------------
# Caching


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/api/items", "/api/items"),
        ("/api/items/{anh-1.jpg}", "/api/items/{accession_id}"),
        ("/api/search?q=le+hoi", "/api/search"),
        ("/api/openapi.yaml", "/api/openapi.yaml"),
    ],
)
def test_answers_carry_an_etag_and_a_matching_request_gets_304(client, ids, url, path):
    url = re.sub(r"\{(.+?)\}", lambda m: ids[m.group(1)], url)
    first, _ = get(client, url, path)
    assert first.status_code == 200
    assert first.headers["ETag"]
    assert set(first.headers["Cache-Control"].split(", ")) == {"public", "max-age=60"}
    again, _ = get(client, url, path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    changed, _ = get(client, url, path, headers={"If-None-Match": '"another"'})
    assert changed.status_code == 200 and changed.get_data() == first.get_data()


# ---------------------------------------------------------------------------------------------
# The OpenAPI document


def test_the_openapi_document_is_served_as_written(client):
    response, _ = get(client, "/api/openapi.yaml", "/api/openapi.yaml")
    assert response.headers["Content-Type"] == "application/yaml; charset=utf-8"
    assert response.get_data() == SPEC.read_bytes()


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_the_openapi_document_is_a_whole_openapi_3_1_document():
    assert re.fullmatch(r"3\.1\.\d+", DOCUMENT["openapi"])
    assert DOCUMENT["info"]["title"] and DOCUMENT["info"]["version"]
    assert DOCUMENT["paths"]
    for ref in _refs(DOCUMENT):
        assert ref.startswith("#/"), ref
        _resolved(ref.removeprefix("#"))  # raises when it points at nothing
    for name, schema in DOCUMENT["components"]["schemas"].items():
        try:
            Draft202012Validator.check_schema(schema)
        except Exception as error:
            pytest.fail(f"components/schemas/{name}: {error}")
    operations = [op for item in DOCUMENT["paths"].values() for op in item.values()]
    assert len({op["operationId"] for op in operations}) == len(operations)
    for path, item in DOCUMENT["paths"].items():
        for operation in item.values():
            assert any(status.startswith("2") for status in operation["responses"]), path
            declared = {
                _resolved(p["$ref"].removeprefix("#"))[1]["name"] if "$ref" in p else p["name"]
                for p in operation["parameters"]
                if "$ref" in p or p["in"] == "path"
            }
            assert set(re.findall(r"\{(\w+)\}", path)) <= declared, path


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_api_route_is_documented_and_every_documented_path_is_a_route(
    catalogue_app: Flask,
):
    routes = {
        _openapi_path(rule.rule)
        for rule in catalogue_app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == set(DOCUMENT["paths"])
    for rule in catalogue_app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            documented = set(DOCUMENT["paths"][_openapi_path(rule.rule)])
            assert {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}} == documented


def test_the_schema_check_refuses_an_answer_that_drifts_from_the_document(client):
    _, body = get(client, "/api/items?per_page=1", "/api/items")
    pointer = "/components/schemas/ItemList"
    assert schema_errors(body, pointer) == []
    assert schema_errors(body | {"extra": 1}, pointer)
    item = body["items"][0]
    assert schema_errors(body | {"items": [item | {"snippet": ""}]}, pointer)
    assert schema_errors(body | {"items": [{**item, "url": "/items/x"}]}, pointer)
    assert schema_errors({"error": ""}, "/components/schemas/Error")


# ---------------------------------------------------------------------------------------------
# archive serve


def _fetch(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("application/")
        return json.load(response)


@pytest.mark.slow
def test_archive_serve_answers_over_http_until_stopped(catalogue_home):
    home: Path = catalogue_home["home"]
    command = [sys.executable, "-m", "archive", "--home", str(home), "serve", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--threads", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = first_line(process, timeout=60)
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        address = found.group(0)
        items = _fetch(address + "api/items")
        assert items["total"] == len(PUBLIC)
        accession = catalogue_home["ids"]["anh-0.jpg"]
        info = _fetch(f"{address}iiif/images/{accession}/1/info.json")
        assert info["type"] == "ImageService3" and info["width"] == 900
    finally:
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors
    assert time.monotonic() - started < 10
