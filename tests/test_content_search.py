"""IIIF Content Search inside one item: the 2.0 and 1.0 answers a viewer reads, and autocomplete."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.pdf import text_layer
from search_index.content_search import MAX_QUERY, autocomplete, search
from tests.conftest import text_pdf

BASE = "https://luutru.kontum.example"
ACCESSION = "KT-2024-000001"
SEARCH_2 = f"{BASE}/iiif/search/{ACCESSION}"
SEARCH_1 = f"{SEARCH_2}/v1"
CANVAS_1 = f"{BASE}/iiif/items/{ACCESSION}/canvas/1"
CANVAS_2 = f"{BASE}/iiif/items/{ACCESSION}/canvas/2"

# Two scanned pages as OCR stores them: [text, x, y, w, h, confidence]. On page 1 the phrase
# "quyền con người" breaks after "con"; on page 2 it stands on one line, and the OCR lost the
# marks of one "quyền" (read "quyen").
PAGE_1 = [
    ["Kế", 100, 100, 30, 30, 96.0],
    ["hoạch", 140, 100, 70, 30, 95.0],
    ["bảo", 220, 100, 45, 30, 93.0],
    ["đảm", 275, 100, 50, 30, 91.0],
    ["quyền", 335, 100, 75, 30, 94.0],
    ["con", 420, 102, 45, 28, 97.0],
    ["người", 100, 142, 70, 30, 92.0],
    ["ở", 180, 142, 20, 30, 90.0],
    ["Kon", 210, 142, 50, 30, 96.0],
    ["Tum", 270, 142, 50, 30, 96.0],
    ["năm", 330, 142, 50, 30, 95.0],
    ["2023.", 390, 142, 65, 30, 96.0],
]
PAGE_2 = [
    ["Quyền", 100, 100, 75, 30, 95.0],
    ["trẻ", 185, 100, 40, 30, 94.0],
    ["em", 235, 100, 35, 30, 96.0],
    ["và", 280, 100, 30, 30, 93.0],
    ["quyền", 320, 100, 75, 30, 95.0],
    ["con", 405, 100, 45, 30, 97.0],
    ["người,", 460, 100, 80, 30, 92.0],
    ["theo", 100, 140, 55, 30, 95.0],
    ["quyết", 165, 140, 70, 30, 91.0],
    ["định", 245, 140, 60, 30, 94.0],
    ["về", 315, 140, 35, 30, 93.0],
    ["quyen", 360, 140, 75, 30, 61.0],
    ["lợi.", 445, 140, 50, 30, 90.0],
]
PAGES = [(1, PAGE_1), (2, PAGE_2)]


def as_json(answer: dict) -> dict:
    """The answer as a client receives it: JSON in UTF-8."""
    return json.loads(json.dumps(answer, ensure_ascii=False).encode("utf-8"))


def search_2(q: str, **options) -> dict:
    return as_json(search(BASE, ACCESSION, PAGES, q, version=2, **options))


def search_1(q: str, **options) -> dict:
    return as_json(search(BASE, ACCESSION, PAGES, q, version=1, **options))


def targets(answer: dict) -> list[str]:
    return [item["target"] for item in answer["items"]]


def page_of(url: str) -> int:
    return int(parse_qs(urlsplit(url).query).get("page", ["0"])[0])


# ---------------------------------------------------------------------------------------------
# Search 2.0


def test_a_phrase_typed_without_marks_lights_up_its_words_on_the_right_canvases():
    answer = search_2("quyen con nguoi")
    assert answer["@context"] == "http://iiif.io/api/search/2/context.json"
    assert answer["type"] == "AnnotationPage"
    assert answer["id"] == f"{SEARCH_2}?q=quyen+con+nguoi"
    # Page 1: one box for the words on the first line, one for the word after the line break.
    assert targets(answer) == [
        f"{CANVAS_1}#xywh=335,100,130,30",
        f"{CANVAS_1}#xywh=100,142,70,30",
        f"{CANVAS_2}#xywh=320,100,220,30",
    ]
    assert [item["body"]["value"] for item in answer["items"]] == [
        "quyền con",
        "người",
        "quyền con người,",
    ]
    # The matching annotations, with the motivation of the text they are part of.
    assert {item["motivation"] for item in answer["items"]} == {"supplementing"}
    assert "partOf" not in answer and "next" not in answer  # everything fits on one page


def test_each_match_comes_with_its_context_for_the_list_of_results():
    answer = search_2("quyen con nguoi")
    ids = [item["id"] for item in answer["items"]]
    assert len(set(ids)) == len(ids)
    contexts = answer["annotations"][0]["items"]
    assert [c["motivation"] for c in contexts] == ["contextualizing", "contextualizing"]
    # The match broken over two lines names both of its annotations, as 2.0 asks.
    first, second = contexts[0]["target"]
    assert [first["source"], second["source"]] == ids[:2]
    assert first["selector"] == [
        {"type": "TextQuoteSelector", "prefix": "Kế hoạch bảo đảm ", "exact": "quyền con"}
    ]
    assert second["selector"] == [
        {"type": "TextQuoteSelector", "exact": "người", "suffix": " ở Kon Tum năm 2023."}
    ]
    assert contexts[1]["target"] == {
        "type": "SpecificResource",
        "source": ids[2],
        "selector": [
            {
                "type": "TextQuoteSelector",
                "prefix": "Quyền trẻ em và ",
                "exact": "quyền con người,",
                "suffix": " theo quyết định về quyen lợi.",
            }
        ],
    }


def test_a_word_is_found_in_every_spelling_that_folds_alike():
    assert targets(search_2("quyền")) == [
        f"{CANVAS_1}#xywh=335,100,75,30",
        f"{CANVAS_2}#xywh=100,100,75,30",
        f"{CANVAS_2}#xywh=320,100,75,30",
        f"{CANVAS_2}#xywh=360,140,75,30",
    ]
    assert targets(search_2("Kon")) == [f"{CANVAS_1}#xywh=210,142,50,30"]
    assert targets(search_2("quyết")) == [f"{CANVAS_2}#xywh=165,140,70,30"]


def test_quoted_phrases_are_searched_each_on_its_own():
    assert targets(search_2('"Kon Tum" "trẻ em"')) == [
        f"{CANVAS_1}#xywh=210,142,110,30",
        f"{CANVAS_2}#xywh=185,100,85,30",
    ]


def test_no_match_gives_an_empty_page_with_the_shape_of_an_answer():
    assert search_2("Hà Nội") == {
        "@context": "http://iiif.io/api/search/2/context.json",
        "id": f"{SEARCH_2}?q=H%C3%A0+N%E1%BB%99i",
        "type": "AnnotationPage",
        "items": [],
    }


def test_the_id_is_the_request_url_and_gives_back_the_query():
    answer = search_2("quyền con người & trẻ em")
    assert answer["id"].startswith(f"{SEARCH_2}?q=")
    assert parse_qs(urlsplit(answer["id"]).query) == {"q": ["quyền con người & trẻ em"]}


def test_paged_results_link_every_page_and_together_hold_every_match():
    whole = search_2("quyền")
    first = search_2("quyền", per_page=3)
    assert first["id"] == f"{SEARCH_2}?q=quy%E1%BB%81n"
    assert first["partOf"] == {
        "id": f"{SEARCH_2}?q=quy%E1%BB%81n#all",
        "type": "AnnotationCollection",
        "total": 4,
        "first": {"id": f"{SEARCH_2}?q=quy%E1%BB%81n", "type": "AnnotationPage"},
        "last": {"id": f"{SEARCH_2}?q=quy%E1%BB%81n&page=1", "type": "AnnotationPage"},
    }
    assert first["next"] == {"id": f"{SEARCH_2}?q=quy%E1%BB%81n&page=1", "type": "AnnotationPage"}
    assert "prev" not in first and first["startIndex"] == 0
    second = search_2("quyền", per_page=3, page=page_of(first["next"]["id"]))
    assert second["id"] == first["next"]["id"]
    assert second["prev"]["id"] == first["id"] and "next" not in second
    assert second["startIndex"] == 3
    assert first["items"] + second["items"] == whole["items"]
    assert len(second["annotations"][0]["items"]) == 1


def test_paged_results_count_annotations_where_a_match_has_several():
    first = search_2("quyen con nguoi", per_page=1)
    second = search_2("quyen con nguoi", per_page=1, page=1)
    assert first["partOf"]["total"] == 3  # two boxes for the broken phrase, one for the other
    assert [len(first["items"]), len(second["items"])] == [2, 1]
    assert [first["startIndex"], second["startIndex"]] == [0, 2]


def test_a_box_two_matches_share_is_listed_once():
    q = '"quyền con người" "người"'
    answer = search_2(q)
    ids = [item["id"] for item in answer["items"]]
    assert len(ids) == len(set(ids)) == 4  # quyền con | người (page 1), and page 2's phrase
    sources = [c["target"] for c in answer["annotations"][0]["items"]]
    assert sources[1]["source"] == sources[0][1]["source"]  # "người" alone, in the phrase too
    hits = search_1(q)["hits"]
    assert hits[1]["annotations"] == hits[0]["annotations"][1:]
    assert len({r["@id"] for r in search_1(q)["resources"]}) == len(search_1(q)["resources"])


def test_a_page_past_the_end_is_empty_and_points_back():
    answer = search_2("quyền", per_page=3, page=7)
    assert answer["items"] == [] and "annotations" not in answer
    assert answer["prev"]["id"] == f"{SEARCH_2}?q=quy%E1%BB%81n&page=1"


def test_parameters_the_service_does_not_apply_are_named_as_ignored():
    answer = search_2("quyền", received=["q", "motivation", "page", "user", "date", "user"])
    assert answer["ignored"] == ["user", "date"]
    assert "ignored" not in search_2("quyền", received=["q", "page", "motivation"])


@pytest.mark.parametrize(
    ("motivation", "found"),
    [
        (None, True),
        ("", True),
        ("supplementing", True),
        ("painting supplementing", True),
        ("painting", False),
        ("commenting", False),
        ("highlighting", False),  # the search's own annotations, not the item's
        ("no-such-motivation", False),
    ],
)
def test_motivation_finds_the_text_only_when_it_names_the_text_s_own(motivation, found):
    everything = search_2("quyền")
    answer = search_2("quyền", motivation=motivation, received=["q", "motivation"])
    assert answer["items"] == (everything["items"] if found else [])
    assert "ignored" not in answer
    if motivation:
        assert parse_qs(urlsplit(answer["id"]).query)["motivation"] == [motivation]


def test_the_pages_of_an_answer_keep_its_motivation():
    answer = search_2("quyền", motivation="supplementing", per_page=2)
    for link in (answer["next"], answer["partOf"]["first"], answer["partOf"]["last"]):
        assert parse_qs(urlsplit(link["id"]).query)["motivation"] == ["supplementing"], link
    assert search_2("quyền", motivation="painting", per_page=2)["items"] == []


def test_autocomplete_2_suggests_only_from_the_motivations_asked_for():
    assert complete_2("quy", motivation="supplementing")["items"]
    assert complete_2("quy", motivation="painting")["items"] == []
    assert "ignored" not in complete_2("quy", motivation="painting", received=["q", "motivation"])


# ---------------------------------------------------------------------------------------------
# Search 1.0 (what Mirador reads)


def test_search_1_gives_resources_on_canvases_and_hits_naming_them():
    answer = search_1("quyen con nguoi")
    assert answer["@context"] == [
        "http://iiif.io/api/presentation/2/context.json",
        "http://iiif.io/api/search/1/context.json",
    ]
    assert answer["@type"] == "sc:AnnotationList"
    assert answer["@id"] == f"{SEARCH_1}?q=quyen+con+nguoi"
    assert answer["within"] == {"@type": "sc:Layer", "total": 2}
    assert [r["on"] for r in answer["resources"]] == [
        f"{CANVAS_1}#xywh=335,100,130,30",
        f"{CANVAS_1}#xywh=100,142,70,30",
        f"{CANVAS_2}#xywh=320,100,220,30",
    ]
    resource = answer["resources"][0]
    assert (resource["@type"], resource["motivation"]) == ("oa:Annotation", "sc:painting")
    assert resource["resource"] == {"@type": "cnt:ContentAsText", "chars": "quyền con"}
    ids = [r["@id"] for r in answer["resources"]]
    assert answer["hits"] == [
        {
            "@type": "search:Hit",
            "annotations": ids[:2],
            "match": "quyền con người",
            "before": "Kế hoạch bảo đảm ",
            "after": " ở Kon Tum năm 2023.",
        },
        {
            "@type": "search:Hit",
            "annotations": ids[2:],
            "match": "quyền con người,",
            "before": "Quyền trẻ em và ",
            "after": " theo quyết định về quyen lợi.",
        },
    ]


def test_search_1_no_match_still_has_its_count():
    answer = search_1("Hà Nội")
    assert (answer["within"], answer["resources"], answer["hits"]) == (
        {"@type": "sc:Layer", "total": 0},
        [],
        [],
    )


def test_search_1_pages_keep_each_hit_with_its_annotations():
    seen_hits, url, pages = [], f"{SEARCH_1}?q=quyen+con+nguoi", 0
    while url:
        answer = search_1("quyen con nguoi", per_page=1, page=page_of(url))
        assert answer["@id"] == url
        assert answer["within"]["total"] == 2
        assert answer["startIndex"] == pages
        # Mirador looks a hit's annotations up among the same page's resources.
        ids = {r["@id"] for r in answer["resources"]}
        assert all(set(hit["annotations"]) <= ids for hit in answer["hits"])
        seen_hits += answer["hits"]
        url, pages = answer.get("next"), pages + 1
    assert pages == 2
    assert seen_hits == search_1("quyen con nguoi")["hits"]


def test_search_1_ignores_motivation_as_before():
    answer = search_1("quyền", motivation="painting", received=["q", "motivation"])
    assert answer["within"]["total"] == 4
    assert answer["within"]["ignored"] == ["motivation"]


def test_search_1_names_ignored_parameters_in_its_layer():
    answer = search_1("quyền", received=["q", "date"])
    assert answer["within"]["ignored"] == ["date"]


# ---------------------------------------------------------------------------------------------
# Queries that find nothing, and never fail


@pytest.mark.parametrize(
    "q",
    [
        pytest.param("", id="empty"),
        pytest.param("   \t\n", id="spaces"),
        pytest.param('"quyền con', id="unbalanced-quote"),
        pytest.param('"""', id="quotes"),
        pytest.param(":::", id="colons"),
        pytest.param(" : ", id="a-stray-colon"),
        pytest.param("x" * 10_000, id="10-kB-of-junk"),
        pytest.param("quyền".ljust(MAX_QUERY + 1), id="over-MAX_QUERY-though-a-match"),
        pytest.param(" ".join(["quyền"] * 17), id="a-phrase-longer-than-the-parser-keeps"),
        pytest.param("quyền " + "a" * 65, id="a-word-longer-than-the-parser-keeps"),
        pytest.param("\x00\ud800\u202e", id="control-and-lone-surrogate"),
    ],
)
def test_an_empty_or_malformed_query_gives_an_empty_answer(q):
    answer = search_2(q)
    assert answer["items"] == [] and answer["type"] == "AnnotationPage"
    assert answer["id"].startswith(f"{SEARCH_2}?q=")
    assert search_1(q)["hits"] == []


def test_a_query_of_max_query_characters_is_still_searched():
    q = "quyền".ljust(MAX_QUERY)
    assert len(q) == MAX_QUERY
    assert len(search_2(q)["items"]) == 4


QUERY_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(list('quyềnQUYENcon người":-*~^[]{}()\\/ \t'))),
)


@settings(max_examples=150, deadline=None)
@given(q=QUERY_TEXT, page=st.integers(-3, 5), per_page=st.integers(-1, 5))
def test_no_query_makes_search_fail(q, page, per_page):
    for version in (1, 2):
        answer = search(BASE, ACCESSION, PAGES, q, version=version, page=page, per_page=per_page)
        as_json(answer)


@settings(max_examples=150, deadline=None)
@given(prefix=QUERY_TEXT, limit=st.integers(-2, 20))
def test_no_prefix_makes_autocomplete_fail(prefix, limit):
    for version in (1, 2):
        answer = autocomplete(BASE, ACCESSION, PAGES, prefix, version=version, limit=limit)
        as_json(answer)
        assert len(answer["items" if version == 2 else "terms"]) <= max(0, limit)


def test_an_unknown_version_is_a_programming_error():
    with pytest.raises(ValueError, match="versions 1 and 2"):
        search(BASE, ACCESSION, PAGES, "quyền", version=3)


# ---------------------------------------------------------------------------------------------
# Autocomplete


def complete_2(prefix: str, **options) -> dict:
    return as_json(autocomplete(BASE, ACCESSION, PAGES, prefix, version=2, **options))


def test_autocomplete_suggests_words_typed_without_marks_in_their_usual_spelling():
    answer = complete_2("quy")
    assert answer == {
        "@context": "http://iiif.io/api/search/2/context.json",
        "id": f"{SEARCH_2}/autocomplete?q=quy",
        "type": "TermPage",
        # quyền ×2, Quyền, quyen: one word for the search, shown as most often written.
        "items": [{"value": "quyền", "total": 4}, {"value": "quyết", "total": 1}],
    }
    for prefix in ("QUY", "quỳ", " Quy "):
        assert complete_2(prefix)["items"] == answer["items"]


def test_autocomplete_puts_the_most_frequent_first_then_alphabetical_and_keeps_the_limit():
    assert [t["value"] for t in complete_2("t")["items"]] == ["theo", "trẻ", "Tum"]
    assert [t["value"] for t in complete_2("t", limit=2)["items"]] == ["theo", "trẻ"]
    assert [t["value"] for t in complete_2("q", limit=1)["items"]] == ["quyền"]
    assert complete_2("con")["items"] == [{"value": "con", "total": 2}]


def test_autocomplete_ranks_by_count_and_shows_the_spelling_with_marks_on_a_tie():
    written = ["bút", "bảo", "Bình", "bình", "bình", "bao", "bé"]
    pages = [(1, [[w, 10 * i, 10, 8, 12, 90.0] for i, w in enumerate(written)])]
    answer = as_json(autocomplete(BASE, ACCESSION, pages, "b"))
    assert answer["items"] == [
        {"value": "bình", "total": 3},  # most frequent first, as most often written
        {"value": "bảo", "total": 2},  # bảo and bao tie: the spelling with marks
        {"value": "bé", "total": 1},  # then alphabetically
        {"value": "bút", "total": 1},
    ]


def test_autocomplete_of_nothing_or_of_several_words_suggests_nothing():
    for prefix in ("", "  ", "quyền con", '"', "zz"):
        assert complete_2(prefix)["items"] == []


def test_autocomplete_1_links_each_term_to_a_search_with_that_many_hits():
    answer = as_json(autocomplete(BASE, ACCESSION, PAGES, "quy", version=1, received=["q", "min"]))
    assert answer["@context"] == "http://iiif.io/api/search/1/context.json"
    assert answer["@type"] == "search:TermList"
    assert answer["@id"] == f"{SEARCH_1}/autocomplete?q=quy"
    assert answer["ignored"] == ["min"]
    assert [(t["match"], t["count"]) for t in answer["terms"]] == [("quyền", 4), ("quyết", 1)]
    for term in answer["terms"]:
        assert term["url"].startswith(f"{SEARCH_1}?q=")
        q = parse_qs(urlsplit(term["url"]).query)["q"][0]
        assert search_1(q)["within"]["total"] == term["count"]


# ---------------------------------------------------------------------------------------------
# Addresses, and real word boxes


def test_each_answer_comes_from_the_address_its_version_is_advertised_at():
    assert search_2("quyền")["id"].startswith(f"{SEARCH_2}?q=")
    assert search_1("quyền")["@id"].startswith(f"{SEARCH_1}?q=")
    assert complete_2("quy")["id"].startswith(f"{SEARCH_2}/autocomplete?q=")
    one = as_json(autocomplete(BASE, ACCESSION, PAGES, "quy", version=1))
    assert one["@id"].startswith(f"{SEARCH_1}/autocomplete?q=")
    # The base may end with a slash; the accession is one path segment.
    other = as_json(search(BASE + "/", "KT/1 2", PAGES, "Kon"))
    assert other["id"] == f"{BASE}/iiif/search/KT%2F1%202?q=Kon"
    assert other["items"][0]["target"].startswith(f"{BASE}/iiif/items/KT%2F1%202/canvas/1#")


def test_a_phrase_over_a_line_break_of_a_real_pdf_gets_one_box_per_line(tmp_path: Path):
    path = text_pdf(tmp_path / "plan.pdf", ["Ke hoach bao dam quyen con", "nguoi o Kon Tum 2023"])
    page = text_layer(path, 0, dpi=150, detect=False)
    assert page is not None
    words = [[w.text, w.x, w.y, w.w, w.h, w.conf] for w in page.words]
    by_text = {w[0]: w for w in words}
    answer = as_json(search(BASE, ACCESSION, [(1, words)], "quyền con người"))
    boxes = [tuple(map(int, t.split("#xywh=")[1].split(","))) for t in targets(answer)]
    assert len(boxes) == 2
    (x1, y1, w1, h1), (x2, y2, w2, h2) = boxes
    quyen, con, nguoi = by_text["quyen"], by_text["con"], by_text["nguoi"]
    assert (x1, x1 + w1) == (quyen[1], con[1] + con[3])  # both words of the first line
    assert (x2, y2, w2, h2) == tuple(nguoi[1:5])  # the word on the next line
    assert y2 >= y1 + h1 and x2 < x1  # below, back at the margin
