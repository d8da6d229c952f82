"""The search service over a real index, checked against answers worked out in Python from the
same documents: each test of what a search answers runs on both engines, Whoosh and PostgreSQL
(`engine`); those of how Whoosh keeps its index on Whoosh alone."""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import db
from archive.errors import InvalidInput
from demo.samples import VIETNAMESE_TEXTS
from search_index import query as query_module
from search_index.analysis import fold, light_stem, tokens
from search_index.folder import MERGE_AT
from search_index.postgresql import DatabaseIndex
from search_index.service import IndexLocked, SearchIndex
from tests import databases

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# The corpus: a few hundred small documents, made from the demo's Vietnamese texts and word lists

SENTENCES = [s for e in VIETNAMESE_TEXTS for s in re.split(r"(?<=[.;])\s+", e["text"]) if s]
CONVENTIONS = ["ICCPR", "ICESCR", "CEDAW", "ICERD", "CRC", "CRPD", "CAT"]
THEMES = ["giảm nghèo", "giáo dục", "y tế", "bình đẳng giới", "tín ngưỡng"]
DISTRICTS = ["Đắk Glei", "Kon Plông", "Tu Mơ Rông", "Ia H'Drai", "Kon Rẫy", "Đắk Hà"]
ETHNIC_GROUPS = ["Xơ Đăng", "Ba Na", "Gia Rai", "Giẻ Triêng", "Brâu", "Rơ Măm"]
COLLECTIONS = [
    "so-ttt/anh/trien-lam-2024", "so-ttt/anh/tu-lieu", "so-ttt/anh-cu", "so-ttt/van-ban",
    "ubnd/ke-hoach", "ubnd/bao-cao/2019", None,
]  # fmt: skip
LANGUAGES = [["vie"], ["vie", "eng"], ["vie", "bdq"], ["xdg"], ["vie", "jra"]]
PLACES = ["Kon Tum", "Đắk Glei", "Kon Plông", "Sa Thầy", None]
CREATORS = ["Nguyễn Văn An", "Trần Thị Bình", "Y Nhi", "A Thut", None]
SUBJECTS = ["quyền con người", "trẻ em", "phụ nữ", "người khuyết tật", "dân tộc thiểu số"]
SECRET = "Sổ mật"  # only restricted items carry this district, this word and this collection


def make_document(i: int, rng: random.Random) -> dict:
    base = VIETNAMESE_TEXTS[i % len(VIETNAMESE_TEXTS)]
    kind = "photo" if i % 3 == 0 else "document"
    restricted = i % 7 == 3
    year = None if i % 17 == 0 else rng.randint(1965, 2024)
    end = None if year is None or rng.random() < 0.5 else year + rng.choice([1, 3, 10])
    pages = []
    if kind == "document":
        for number in range(1, rng.randint(1, 3) + 1):
            pages.append({"number": number, "text": " ".join(rng.sample(SENTENCES, 3))})
    districts = rng.sample(DISTRICTS, rng.randint(0, 2)) + ([SECRET] if restricted else [])
    return {
        "id": f"KT-2024-{i:06d}",
        "type": kind,
        "collection": "mat/ho-so" if restricted and i % 2 else rng.choice(COLLECTIONS),
        "title": {
            "vi": f"{base['title_vi']} ({'tuyệtmật ' if restricted else ''}số {i})",
            "en": base["title_en"],
        },
        "description": {"vi": " ".join(rng.sample(SENTENCES, 2))},
        "creator": rng.choice(CREATORS),
        "place": rng.choice(PLACES),
        "subjects": rng.sample(SUBJECTS, 2),
        "tags": {
            "convention": rng.sample(CONVENTIONS, rng.randint(0, 2)),
            "theme": rng.sample(THEMES, rng.randint(0, 2)),
            "district": districts,
            "ethnic-group": rng.sample(ETHNIC_GROUPS, rng.randint(0, 1)),
            "decade": [f"{year // 10 * 10}s"] if year else [],
        },
        "year_start": year,
        "year_end": end,
        "languages": rng.choice(LANGUAGES),
        "access": "restricted" if restricted else "public",
        "added": (datetime(2026, 1, 1) + timedelta(hours=rng.randint(0, 8000))).isoformat(),
        "updated": f"2026-11-27T10:{i % 60:02d}:00",
        "pages": pages,
    }


def make_corpus(n: int = 300, seed: int = 1297) -> list[dict]:
    rng = random.Random(seed)
    return [make_document(i, rng) for i in range(n)]


CORPUS = make_corpus()
PUBLIC = {d["id"] for d in CORPUS if d["access"] == "public"}
RESTRICTED = {d["id"] for d in CORPUS} - PUBLIC

# ---------------------------------------------------------------------------------------------
# What the answers should be, worked out from the documents without the index


def _english(language: str) -> bool:
    return language in ("en", "eng")


def folded_words(doc: dict) -> set[str]:
    texts = [t for lang, t in doc["title"].items() if not _english(lang)]
    texts += [t for lang, t in doc["description"].items() if not _english(lang)]
    texts += [doc["creator"] or "", doc["place"] or "", *doc["subjects"]]
    texts += [p["text"] for p in doc["pages"]]
    return {fold(w) for t in texts for w in tokens(t)}


def english_words(doc: dict) -> set[str]:
    texts = [t for lang, t in doc["title"].items() if _english(lang)]
    texts += [t for lang, t in doc["description"].items() if _english(lang)]
    return {light_stem(fold(w)) for t in texts for w in tokens(t)}


@cache
def words_of(identifier: str) -> tuple[set[str], set[str]]:
    document = next(d for d in CORPUS if d["id"] == identifier)
    return folded_words(document), english_words(document)


def has_word(doc: dict, word: str) -> bool:
    folded, english = (
        words_of(doc["id"]) if doc in CORPUS else (folded_words(doc), english_words(doc))
    )
    return fold(word) in folded or light_stem(fold(word)) in english


def has_phrase(doc: dict, phrase: str) -> bool:
    texts = [*doc["title"].values(), *doc["description"].values(), *doc["subjects"]]
    texts += [p["text"] for p in doc["pages"]]
    wanted = " ".join(fold(w) for w in tokens(phrase))
    return any(f" {wanted} " in " " + " ".join(fold(w) for w in tokens(t)) + " " for t in texts)


def _collection(doc: dict, value: str) -> bool:
    return bool(doc["collection"]) and (doc["collection"] + "/").startswith(value + "/")


def _years(doc: dict, low: int, high: int) -> bool:
    start, end = doc["year_start"], doc["year_end"]
    first = start if start is not None else end
    last = end if end is not None else first
    return first is not None and first <= high and last >= low


MATCHES = {
    "type": lambda d, v: d["type"] == v,
    "collection": _collection,
    "language": lambda d, v: v in d["languages"],
    "tag": lambda d, v: any(v in values for values in d["tags"].values()),
    **{k: (lambda d, v, k=k: v in d["tags"][k]) for k in ("convention", "theme", "district")},
    **{k: (lambda d, v, k=k: v in d["tags"][k]) for k in ("ethnic-group", "decade")},
}
FACET_VALUES = {
    "type": lambda d: [d["type"]],
    "decade": lambda d: d["tags"]["decade"],
    "collection-top": lambda d: [d["collection"].split("/")[0]] if d["collection"] else [],
    "collection": lambda d: [d["collection"]] if d["collection"] else [],
    "convention": lambda d: d["tags"]["convention"],
    "theme": lambda d: d["tags"]["theme"],
    "district": lambda d: d["tags"]["district"],
    "ethnic-group": lambda d: d["tags"]["ethnic-group"],
    "language": lambda d: d["languages"],
}
FACET_FILTER = {facet: facet for facet in FACET_VALUES} | {"collection-top": "collection"}


def expected(words=(), filters=None, public_only=True, docs=CORPUS):
    """(ids of the hits, facet counts) for `words` ANDed and `filters` (disjunctive facets)."""
    filters = filters or {}
    base = [
        d
        for d in docs
        if (d["access"] == "public" or not public_only) and all(has_word(d, w) for w in words)
    ]

    def passes(doc, leave_out=None):
        return all(
            any(MATCHES[key](doc, v) for v in values)
            for key, values in filters.items()
            if key != leave_out
        )

    hits = {d["id"] for d in base if passes(d)}
    facets = {
        facet: Counter(v for d in base if passes(d, FACET_FILTER[facet]) for v in values(d))
        for facet, values in FACET_VALUES.items()
    }
    return hits, facets


def ids(results) -> set[str]:
    return {hit.id for hit in results.hits}


def all_ids(index: SearchIndex, query: str, **kwargs) -> list[str]:
    results = index.search(query, per_page=200, facets=False, **kwargs)
    found = [h.id for h in results.hits]
    page = 1
    while len(found) < results.total:
        page += 1
        found += [h.id for h in index.search(query, per_page=200, page=page, **kwargs).hits]
    assert len(found) == results.total
    return found


def nonzero(facet: list[tuple[str, int]]) -> dict[str, int]:
    return {value: count for value, count in facet if count}


# ---------------------------------------------------------------------------------------------
# Fixtures


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Whoosh always; PostgreSQL's full-text search when the tests run on PostgreSQL."""
    if "engine" in metafunc.fixturenames:
        names = ["whoosh", *(n for n in databases.chosen(metafunc.config) if n == "postgresql")]
        metafunc.parametrize("engine", names, indirect=True, scope="module")


@pytest.fixture(scope="module")
def engine(request) -> str:
    return request.param


@contextmanager
def opened(engine: str, folder: Path, **options):
    """An empty index of `engine`: Whoosh's in `folder`, or a table in a new PostgreSQL schema."""
    if engine == "whoosh":
        with SearchIndex.open(folder, **options) as index:
            yield index
        return
    database = databases.Database("postgresql")
    connections = db.make_engine(database.new_schema(migrated=True))
    try:
        yield DatabaseIndex(connections, procs=options.get("procs"))
    finally:
        connections.dispose()
        database.drop()


@pytest.fixture(scope="module")
def corpus_index(engine, tmp_path_factory):
    """The corpus, indexed once for the tests that only read."""
    with opened(engine, tmp_path_factory.mktemp("corpus") / "index") as index:
        assert index.rebuild(CORPUS) == len(CORPUS)
        yield index


@pytest.fixture
def small_index(engine, tmp_path: Path):
    with opened(engine, tmp_path / "index") as index:
        yield index


@pytest.fixture(scope="module")
def whoosh_corpus_index(tmp_path_factory) -> SearchIndex:
    with opened("whoosh", tmp_path_factory.mktemp("corpus") / "index") as index:
        assert index.rebuild(CORPUS) == len(CORPUS)
        yield index


@pytest.fixture
def whoosh_index(tmp_path: Path) -> SearchIndex:
    with opened("whoosh", tmp_path / "index", lock_timeout=0.3) as index:
        yield index


def doc(identifier: str, title: str, **fields) -> dict:
    """A minimal document; `fields` override."""
    return {
        "id": identifier, "type": "document", "collection": None, "title": {"vi": title},
        "description": {}, "creator": None, "place": None, "subjects": [], "tags": {},
        "year_start": None, "year_end": None, "languages": ["vie"], "access": "public",
        "added": "2026-11-27T10:00:00", "updated": "2026-11-27T10:00:00", "pages": [],
    } | fields  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Words, folding and ranking


@pytest.mark.parametrize("query", ["quyen con nguoi", "quyền con người", "QUYỀN Con NGƯỜI"])
def test_a_query_finds_its_words_with_or_without_marks(corpus_index, query):
    hits, _ = expected(["quyền", "con", "người"])
    assert set(all_ids(corpus_index, query)) == hits
    assert hits


@pytest.mark.parametrize("query", ["dak glei", "Đắk Glei", "đắk glei"])
def test_d_with_stroke_folds_to_d(corpus_index, query):
    hits, _ = expected(["đắk", "glei"])
    assert set(all_ids(corpus_index, query)) == hits
    assert hits


def test_folding_works_both_ways(small_index):
    small_index.update(
        [
            doc("A", "Quyền con người"),
            doc("B", "quyen con nguoi (viết không dấu)"),
            doc("C", "khác"),
        ]
    )
    assert [h.id for h in small_index.search("quyen con nguoi").hits] == ["B", "A"]
    assert [h.id for h in small_index.search("quyền con người").hits] == ["A", "B"]


SPELLINGS = ["má", "ma", "mà", "mả", "mã", "mạ"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_exact_spelling_ranks_first(small_index, spelling):
    small_index.update(
        [doc(f"M{i}", f"Con {w} ở làng", description={"vi": "Ảnh chụp năm 1975"})
         for i, w in enumerate(SPELLINGS)]
        + [doc("X", "Không liên quan")]
    )  # fmt: skip
    hits = small_index.search(spelling).hits
    assert hits[0].id == f"M{SPELLINGS.index(spelling)}"
    assert {h.id for h in hits} == {f"M{i}" for i in range(len(SPELLINGS))}
    assert hits[0].score > hits[1].score


def test_english_titles_are_stemmed(corpus_index):
    hits, _ = expected(["right"])
    assert set(all_ids(corpus_index, "right")) == hits == set(all_ids(corpus_index, "rights"))
    assert hits


def test_words_are_all_required(corpus_index):
    hits, _ = expected(["công", "ước", "tra", "tấn"])
    assert set(all_ids(corpus_index, "cong uoc tra tan")) == hits
    assert hits < expected(["công", "ước"])[0]


def test_a_minus_word_excludes(corpus_index):
    with_all, _ = expected(["quyền"])
    with_tre, _ = expected(["quyền", "trẻ"])
    assert set(all_ids(corpus_index, "quyền -trẻ")) == with_all - with_tre
    assert set(all_ids(corpus_index, "quyền -tre")) == with_all - with_tre
    assert with_all - with_tre


def test_a_minus_word_alone_lists_everything_else(corpus_index):
    with_tre, _ = expected(["trẻ"])
    assert set(all_ids(corpus_index, "-tre")) == PUBLIC - with_tre


@pytest.mark.parametrize("phrase", ["quyền trẻ em", "quyen tre em", "Công ước chống tra tấn"])
def test_a_phrase_needs_its_words_in_order(corpus_index, phrase):
    wanted = {d["id"] for d in CORPUS if d["id"] in PUBLIC and has_phrase(d, phrase)}
    assert set(all_ids(corpus_index, f'"{phrase}"')) == wanted
    assert wanted
    reversed_words = " ".join(reversed(phrase.split()))
    assert len(all_ids(corpus_index, f'"{reversed_words}"')) < len(wanted)


# The labels archive/indexing.py gives a document tagged theme:children and convention:CRC,
# from the shipped vocabularies.
CHILDREN_LABELS = {
    "vi": ["Công ước về quyền trẻ em", "Công ước của Liên hợp quốc về quyền trẻ em",
           "Công ước CRC", "Trẻ em", "Bảo vệ, chăm sóc trẻ em"],
    "en": ["Convention on the Rights of the Child", "CRC", "UNCRC", "Children",
           "Child protection"],
}  # fmt: skip


@pytest.mark.parametrize(
    "query",
    ["children", "Children", "rights of the child", '"rights of the child"', "UNCRC",
     "child protection", "tre em", "quyền trẻ em", "cham soc tre em"],
)  # fmt: skip
def test_an_item_is_found_by_the_labels_of_its_tags_in_every_language(small_index, query):
    small_index.update(
        [
            doc("A", "Lớp học tình thương ở Đắk Hà", labels=CHILDREN_LABELS),
            doc("B", "Lễ hội cồng chiêng", labels={"vi": ["Lễ hội"], "en": ["Festivals"]}),
        ]
    )
    assert [h.id for h in small_index.search(query).hits] == ["A"]


def test_a_label_counts_less_than_the_title(small_index):
    small_index.update(
        [
            doc("TAGGED", "Lớp học tình thương", labels={"vi": ["Trẻ em"], "en": ["Children"]}),
            doc("TITLED", "Trẻ em làng Kon Klor"),
        ]
    )
    assert [h.id for h in small_index.search("tre em").hits] == ["TITLED", "TAGGED"]


def test_an_index_made_from_documents_without_labels_still_answers(small_index):
    # as an archive indexed before documents carried labels: found by their words, until
    # `archive reindex` gives them their labels
    before = doc("A", "Lớp học tình thương", subjects=["giáo dục"])
    small_index.update([before])
    assert [h.id for h in small_index.search("lop hoc").hits] == ["A"]
    assert small_index.search("children").hits == []
    small_index.update([before | {"labels": CHILDREN_LABELS}])
    assert [h.id for h in small_index.search("children").hits] == ["A"]


def test_an_accession_number_finds_its_item(corpus_index):
    assert [h.id for h in corpus_index.search("KT-2024-000011").hits][:1] == ["KT-2024-000011"]


# ---------------------------------------------------------------------------------------------
# Filters and facets

FILTER_CASES = [
    ("type", "photo"),
    ("decade", "1970s"),
    ("collection", "so-ttt/anh"),
    ("collection", "ubnd"),
    ("convention", "CRC"),
    ("theme", "y tế"),
    ("district", "Đắk Glei"),
    ("ethnic-group", "Xơ Đăng"),
    ("language", "bdq"),
    ("tag", "CEDAW"),
    ("tag", "Kon Plông"),
]


@pytest.mark.parametrize(("key", "value"), FILTER_CASES)
def test_each_filter_selects_its_items(corpus_index, key, value):
    hits, _ = expected(filters={key: [value]})
    assert set(all_ids(corpus_index, "", filters={key: [value]})) == hits
    assert hits


@pytest.mark.parametrize(
    ("inline", "key", "value"),
    [
        ("type:photo", "type", "photo"),
        ("decade:1970s", "decade", "1970s"),
        ("collection:so-ttt/anh", "collection", "so-ttt/anh"),
        ("tag:CRC", "tag", "CRC"),
        ("tag:crc", "tag", "CRC"),
        ('tag:"dak glei"', "tag", "Đắk Glei"),
        ("lang:vie", "language", "vie"),
        ("convention:CEDAW", "convention", "CEDAW"),
    ],
)
def test_a_filter_can_be_written_in_the_query(corpus_index, inline, key, value):
    hits, _ = expected(["quyền"], filters={key: [value]})
    assert set(all_ids(corpus_index, f"quyền {inline}")) == hits
    assert hits


def test_a_collection_filter_takes_in_what_is_below_but_not_a_namesake(corpus_index):
    found = all_ids(corpus_index, "", filters={"collection": ["so-ttt/anh"]})
    collections = {d["collection"] for d in CORPUS if d["id"] in found}
    assert collections == {"so-ttt/anh/trien-lam-2024", "so-ttt/anh/tu-lieu"}


def test_a_minus_filter_excludes(corpus_index):
    photos, _ = expected(filters={"type": ["photo"]})
    assert set(all_ids(corpus_index, "-type:photo")) == PUBLIC - photos


@pytest.mark.parametrize(("low", "high"), [(1975, 1980), (2000, 2000), (1900, 1964)])
def test_a_year_range_finds_items_whose_years_overlap_it(corpus_index, low, high):
    wanted = {d["id"] for d in CORPUS if d["id"] in PUBLIC and _years(d, low, high)}
    assert set(all_ids(corpus_index, f"year:{low}..{high}")) == wanted


def test_year_ranges_and_the_lang_alias_work_as_filters_too(corpus_index):
    wanted = {
        d["id"]
        for d in CORPUS
        if d["id"] in PUBLIC and (_years(d, 1975, 1980) or _years(d, 2020, 2020))
        and "bdq" in d["languages"]
    }  # fmt: skip
    filters = {"year": ["1975..1980", "2020"], "lang": ["bdq"]}
    assert set(all_ids(corpus_index, "", filters=filters)) == wanted
    assert wanted


def test_values_of_one_filter_are_ored_and_filters_are_anded(corpus_index):
    filters = {"convention": ["CRC", "CEDAW"], "type": ["document"], "decade": ["1990s", "2000s"]}
    hits, _ = expected(filters=filters)
    assert set(all_ids(corpus_index, "", filters=filters)) == hits
    assert hits


@pytest.mark.parametrize(
    ("words", "filters"),
    [
        ((), {}),
        (("quyền",), {}),
        (("trẻ", "em"), {"type": ["document"]}),
        ((), {"convention": ["CRC", "CAT"], "district": ["Kon Plông"]}),
        (("người",), {"collection": ["so-ttt"], "language": ["vie"], "decade": ["2010s"]}),
    ],
)
def test_facet_counts_match_the_documents(corpus_index, words, filters):
    hits, facets = expected(words, filters)
    results = corpus_index.search(" ".join(words), filters=filters)
    assert results.total == len(hits)
    assert set(results.facets) == set(FACET_VALUES)
    for facet, counts in facets.items():
        assert nonzero(results.facets[facet]) == dict(counts), facet


def test_facets_are_disjunctive(corpus_index):
    everything = corpus_index.search("")
    photos = corpus_index.search("", filters={"type": ["photo"]})
    # The type facet ignores the type filter: the other types can still be chosen...
    assert photos.facets["type"] == everything.facets["type"]
    # ...while the other facets count photos only.
    assert sum(n for _, n in photos.facets["decade"]) < sum(
        n for _, n in everything.facets["decade"]
    )
    assert photos.total == dict(everything.facets["type"])["photo"]


def test_a_chosen_value_stays_in_its_facet_when_nothing_has_it(corpus_index):
    results = corpus_index.search("", filters={"type": ["photo"], "convention": ["CAT"]})
    also = corpus_index.search("chống tra tấn", filters={"convention": ["CRPD"]})
    assert ("CRPD", dict(also.facets["convention"]).get("CRPD", 0)) in also.facets["convention"]
    assert "CAT" in dict(results.facets["convention"])


def test_facets_are_sorted_by_count(corpus_index):
    for values in corpus_index.search("").facets.values():
        assert values == sorted(values, key=lambda v: (-v[1], v[0]))


# ---------------------------------------------------------------------------------------------
# Restricted items


@pytest.mark.parametrize(
    "query",
    ["", "tuyệtmật", "tuyetmat", "access:restricted", "access:public tuyệtmật",
     f'district:"{SECRET}"', "collection:mat", "type:photo", "quyền -access:public"],
)  # fmt: skip
def test_restricted_items_never_show_whatever_the_query_says(corpus_index, query):
    results = corpus_index.search(query, per_page=200)
    assert not ids(results) & RESTRICTED
    assert results.total <= len(PUBLIC)
    everywhere = [v for values in results.facets.values() for v, _ in values]
    assert SECRET not in everywhere and "mat" not in everywhere and "mat/ho-so" not in everywhere
    sneaky = corpus_index.search(query, filters={"district": [SECRET], "collection": ["mat"]})
    assert sneaky.total == 0 and sneaky.hits == []


def test_restricted_items_are_counted_when_asked_for(corpus_index):
    hits, facets = expected(["tuyệtmật"], public_only=False)
    results = corpus_index.search("tuyệtmật", public_only=False)
    assert hits == RESTRICTED and results.total == len(RESTRICTED)
    assert nonzero(results.facets["district"]) == dict(facets["district"])
    assert corpus_index.search("tuyệtmật").total == 0


def test_the_public_counts_leave_restricted_items_out(corpus_index):
    _, facets = expected()
    assert nonzero(corpus_index.search("").facets["collection-top"]) == dict(
        facets["collection-top"]
    )
    assert "mat" not in facets["collection-top"]


# ---------------------------------------------------------------------------------------------
# Pages of results and sorting


@pytest.mark.parametrize("query", ["", "quyền"])
@pytest.mark.parametrize("sort", ["relevance", "date", "-date", "added"])
def test_pages_cover_every_hit_once_in_order(corpus_index, query, sort):
    whole = corpus_index.search(query, sort=sort, per_page=100, facets=False)
    pages = [
        corpus_index.search(query, sort=sort, page=p, per_page=17, facets=False)
        for p in range(1, 8)
    ]
    found = [h.id for p in pages for h in p.hits]
    assert found[:100] == [h.id for h in whole.hits] and len(set(found)) == len(found) == 7 * 17
    assert pages[0].page == 1 and pages[0].per_page == 17 and pages[0].query == query
    assert all(p.total == whole.total > 7 * 17 for p in pages)


def test_relevance_puts_the_best_first(corpus_index):
    scores = [h.score for h in corpus_index.search("quyền trẻ em", per_page=200).hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1] > 0


@pytest.mark.parametrize("query", ["quyền trẻ em", "quyen", "tra tan", "KT-2024-000011 quyền"])
def test_relevance_is_whoosh_bm25f_of_each_document_kept_between_searches(
    whoosh_corpus_index, query
):
    """The service adds up its kept word scores; each hit's score is the one Whoosh's own
    matchers give that document for the same query, and asking again gives the same page."""
    first = whoosh_corpus_index.search(query, per_page=30, facets=False)
    again = whoosh_corpus_index.search(query, per_page=30, facets=False)
    assert [(h.id, h.score) for h in first.hits] == [(h.id, h.score) for h in again.hits]
    assert first.hits, query
    with whoosh_corpus_index._snapshot() as snapshot:
        searcher = snapshot.searcher
        whoosh_query = query_module.positive(query_module.parse(query))
        for hit in first.hits:
            docnum = searcher.document_number(id=hit.id)
            [scored] = searcher.search(whoosh_query, filter={docnum}, limit=1)
            assert hit.score == pytest.approx(scored.score, rel=1e-9), hit.id


def test_date_sort_is_oldest_first_and_undated_last(corpus_index):
    years = [h.year_start for h in corpus_index.search("", sort="date", per_page=200).hits]
    dated = [y for y in years if y is not None]
    assert dated == sorted(dated) and years[: len(dated)] == dated
    newest = [h.year_start for h in corpus_index.search("", sort="-date", per_page=200).hits]
    dated = [y for y in newest if y is not None]
    assert dated == sorted(dated, reverse=True) and newest[: len(dated)] == dated


def test_added_sort_is_newest_first(corpus_index):
    added = {d["id"]: d["added"] for d in CORPUS}
    order = all_ids(corpus_index, "quyền", sort="added")
    assert [added[i] for i in order] == sorted((added[i] for i in order), reverse=True)


def test_a_page_past_the_end_is_empty(corpus_index):
    results = corpus_index.search("quyền", page=1000)
    assert results.hits == [] and results.total > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sort": "title"}, "unknown sort"),
        ({"filters": {"access": ["restricted"]}}, "unknown filter"),
        ({"filters": {"year": ["abc"]}}, "not a year"),
    ],
)
def test_bad_arguments_are_invalid_input(corpus_index, kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        corpus_index.search("quyền", **kwargs)


# ---------------------------------------------------------------------------------------------
# Snippets


def test_a_snippet_comes_from_the_best_page_escaped_with_matches_marked(small_index):
    pages = [
        {"number": 1, "text": "Trang bìa."},
        {"number": 2, "text": "Mục lục: quyền."},
        {"number": 3, "text": "<script>alert('quyền')</script> Quyền trẻ em & gia đình"},
    ]
    small_index.update([doc("P", "Báo cáo", pages=pages)])
    hit = small_index.search("quyền trẻ em").hits[0]
    assert hit.page == 3
    assert "<script>" not in hit.snippet
    assert hit.snippet == (
        "&lt;script&gt;alert(&#x27;<mark>quyền</mark>&#x27;)&lt;/script&gt; "
        "<mark>Quyền</mark> <mark>trẻ</mark> <mark>em</mark> &amp; gia đình"
    )


def test_a_photo_snippet_comes_from_its_description(small_index):
    small_index.update(
        [doc("F", "Ảnh", type="photo", description={"vi": "Lễ hội <b>cồng chiêng</b> ở Kon Tum"})]
    )
    hit = small_index.search("cong chieng").hits[0]
    assert hit.page is None and hit.type == "photo" and hit.title == {"vi": "Ảnh"}
    assert (
        hit.snippet == "Lễ hội &lt;b&gt;<mark>cồng</mark> <mark>chiêng</mark>&lt;/b&gt; ở Kon Tum"
    )


def test_every_hit_has_a_snippet(corpus_index):
    for hit in corpus_index.search("quyền trẻ em", per_page=50).hits:
        assert "<mark>" in hit.snippet, hit.id


# ---------------------------------------------------------------------------------------------
# Updating, deleting, rebuilding


def test_update_replaces_an_item_with_the_same_id(small_index):
    small_index.update([doc("A", "Ảnh cũ"), doc("B", "Ảnh khác")])
    small_index.update([doc("A", "Ảnh mới", updated="2026-12-01T00:00:00")])
    assert ids(small_index.search("cũ")) == set()
    assert ids(small_index.search("mới")) == {"A"}
    assert ids(small_index.search("ảnh")) == {"A", "B"}
    assert small_index.versions() == {"A": "2026-12-01T00:00:00", "B": "2026-11-27T10:00:00"}


def test_concurrent_searches_share_what_is_known_of_a_commit_and_never_an_older_ones(
    whoosh_index,
):
    """A segment's postings, once read, serve every search (a segment never changes), and a
    search's results every search on the same commit; after a commit, the first search works
    the results out again and sees the change."""
    whoosh_index.update([doc("A", "Ảnh làng"), doc("B", "Ảnh trường")])
    assert ids(whoosh_index.search("ảnh")) == {"A", "B"}
    with whoosh_index._snapshot() as first, whoosh_index._snapshot() as second:
        assert first.searcher is not second.searcher and first.known is second.known
        assert first.postings is second.postings and len(first.postings)  # the word above
    asked = whoosh_index.search("ảnh", page=1)
    assert whoosh_index.search("ảnh", page=1) is asked  # the same search: answered as before
    assert whoosh_index.search("ảnh", filters={"type": ["photo"]}) is not asked
    whoosh_index.update([doc("C", "Ảnh chợ")])
    assert ids(whoosh_index.search("ảnh")) == {"A", "B", "C"}
    with whoosh_index._snapshot() as after:
        assert after.known is not first.known


def test_updates_leave_small_segments_alone_until_several_are_merged_at_once(whoosh_index):
    """Whoosh's default policy rewrote the small segments at nearly every update's commit."""

    def segments() -> int:
        with whoosh_index._snapshot() as snapshot:
            return len(snapshot.searcher.reader().leaf_readers())

    counts = []
    for n in range(MERGE_AT + 1):
        whoosh_index.update([doc(f"U{n}", f"Ảnh {n}")])
        counts.append(segments())
    assert counts == [*range(1, MERGE_AT + 1), 1]
    assert whoosh_index.search("ảnh").total == MERGE_AT + 1


def test_delete_removes_items(small_index):
    small_index.update([doc("A", "Ảnh một"), doc("B", "Ảnh hai")])
    small_index.delete(["A", "not-there"])
    assert ids(small_index.search("ảnh")) == {"B"}
    assert small_index.versions() == {"B": "2026-11-27T10:00:00"}
    assert small_index.search("", facets=True).facets["type"] == [("document", 1)]


def test_a_document_without_an_id_is_refused(small_index):
    with pytest.raises(InvalidInput, match="without an id"):
        small_index.update([doc("", "Không số")])


def test_versions_name_every_indexed_item(corpus_index):
    assert corpus_index.versions() == {d["id"]: d["updated"] for d in CORPUS}


def indexes(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("index-*")}


def test_rebuild_swaps_the_new_index_in_while_searches_go_on(whoosh_index):
    whoosh_index.update([doc("OLD", "Bản cũ")])
    folder = whoosh_index.folder
    first = indexes(folder)
    seen_during = []

    def documents():
        for i in range(20):
            if i == 10:  # halfway: the old index still answers
                seen_during.append(ids(whoosh_index.search("bản")))
            yield doc(f"N{i}", "Bản mới")

    assert whoosh_index.rebuild(documents()) == 20
    assert seen_during == [{"OLD"}]
    assert ids(whoosh_index.search("cũ")) == set()
    assert whoosh_index.search("bản mới").total == 20
    assert len(indexes(folder)) == 2 and first < indexes(folder)  # the old one is kept a while
    whoosh_index.rebuild([doc("X", "Lần ba")])
    assert len(indexes(folder)) == 2 and not first & indexes(folder)  # ...until the next rebuild
    with SearchIndex.open(folder) as reopened:
        assert reopened.versions() == {"X": "2026-11-27T10:00:00"}


def test_a_rebuild_that_fails_leaves_the_old_index_answering(whoosh_index):
    whoosh_index.update([doc("OLD", "Bản cũ")])
    before = indexes(whoosh_index.folder)

    def documents():
        yield from (doc(f"N{i}", "Bản mới") for i in range(5))
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        whoosh_index.rebuild(documents())
    assert ids(whoosh_index.search("bản")) == {"OLD"}
    assert indexes(whoosh_index.folder) == before
    whoosh_index.update([doc("A", "Bản sau")])  # the lock was given back
    assert ids(whoosh_index.search("bản")) == {"OLD", "A"}


def test_a_rebuild_clears_what_a_killed_rebuild_left(whoosh_index):
    (whoosh_index.folder / "index-deadbeef").mkdir()
    whoosh_index.rebuild([doc("A", "Một")])
    assert "index-deadbeef" not in indexes(whoosh_index.folder)


def test_a_large_rebuild_uses_several_processes_and_can_fail_cleanly(engine, tmp_path):
    with opened(engine, tmp_path / "index", procs=2) as index:
        index.parallel_from, index.progress_every = 100, 100
        told: list[tuple[int, bool]] = []
        assert index.rebuild(CORPUS, lambda *said: told.append(said)) == len(CORPUS)
        every = [(n, False) for n in range(100, len(CORPUS) + 1, 100)]
        assert told == [*every, (len(CORPUS), True)]  # then the index is written
        assert index.versions() == {d["id"]: d["updated"] for d in CORPUS}
        hits, facets = expected(["quyền"])
        results = index.search("quyền")
        assert results.total == len(hits)
        assert nonzero(results.facets["type"]) == dict(facets["type"])

        def failing():
            yield from CORPUS[:250]
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            index.rebuild(failing())
        assert index.search("quyền").total == len(hits)
        assert multiprocessing.active_children() == []


# ---------------------------------------------------------------------------------------------
# Readers and writers at once


def test_a_search_is_not_blocked_by_a_writer_and_a_second_writer_is_refused(whoosh_index):
    whoosh_index.update([doc("OLD", "Bản cũ")])
    inside, go_on, errors = threading.Event(), threading.Event(), []

    def documents():
        yield doc("N1", "Bản mới")
        inside.set()
        go_on.wait(10)
        yield doc("N2", "Bản mới")

    def rebuild():
        try:
            whoosh_index.rebuild(documents())
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    writer = threading.Thread(target=rebuild)
    writer.start()
    try:
        assert inside.wait(10)
        started = time.monotonic()
        assert ids(whoosh_index.search("bản")) == {"OLD"}
        assert time.monotonic() - started < 1.0
        with pytest.raises(IndexLocked, match="being written"):
            whoosh_index.update([doc("A", "Bản khác")])
        with pytest.raises(IndexLocked):
            whoosh_index.delete(["OLD"])
    finally:
        go_on.set()
        writer.join(10)
    assert errors == []
    assert ids(whoosh_index.search("bản")) == {"N1", "N2"}


def test_searches_stay_consistent_while_another_thread_updates(small_index):
    small_index.update([doc(f"D{i}", "Ảnh gốc") for i in range(10)])
    errors: list[Exception] = []
    done = threading.Event()

    def writer():
        try:
            for round_ in range(6):
                small_index.update([doc(f"D{i}", f"Ảnh vòng {round_}") for i in range(10)])
        except Exception as error:
            errors.append(error)
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    totals = set()
    while not done.is_set():
        totals.add(small_index.search("ảnh").total)
    thread.join()
    assert errors == []
    assert totals <= {10}
    assert small_index.search("vòng 5").total == 10


PROCESS_SCRIPT = """
import sys
from pathlib import Path
from search_index.service import IndexLocked, SearchIndex

index = SearchIndex.open(Path(sys.argv[1]), lock_timeout=0.2)
print(sorted(hit.id for hit in index.search("bản").hits))
try:
    index.update([{"id": "P", "title": {"vi": "Bản khác"}, "access": "public"}])
    print("updated")
except IndexLocked:
    print("locked")
"""


def test_another_process_can_search_while_this_one_writes(whoosh_index):
    whoosh_index.update([doc("OLD", "Bản cũ")])
    inside, go_on = threading.Event(), threading.Event()

    def documents():
        yield doc("NEW", "Bản mới")
        inside.set()
        go_on.wait(30)

    writer = threading.Thread(target=whoosh_index.rebuild, args=(documents(),))
    writer.start()
    try:
        assert inside.wait(10)
        env = os.environ | {"PYTHONPATH": str(ROOT)}
        run = subprocess.run(
            [sys.executable, "-c", PROCESS_SCRIPT, str(whoosh_index.folder)],
            capture_output=True, text=True, timeout=60, env=env, cwd=ROOT,
        )  # fmt: skip
    finally:
        go_on.set()
        writer.join(10)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["['OLD']", "locked"]
    assert ids(whoosh_index.search("bản")) == {"NEW"}


# ---------------------------------------------------------------------------------------------
# No query can fail, and none reveals a restricted item

QUERY_PIECES = st.sampled_from(
    ['"', "-", ":", "*", "?", "~", "^", "[", "]", "{", "}", "(", ")", "AND", "OR", "NOT", "TO",
     "type:", "year:", "year:abc", "year:1975..", "tag:", "access:restricted", "collection:",
     "quyền", "tuyệtmật", "trẻ em", "\x00", "\u0301", "\ufeff", " ", "lang:vie", "-access:public"]
)  # fmt: skip
QUERIES = st.one_of(
    st.text(), st.lists(QUERY_PIECES | st.text(max_size=5), max_size=12).map("".join)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=QUERIES, sort=st.sampled_from(["relevance", "date", "-date", "added"]))
def test_no_query_fails_or_shows_a_restricted_item(corpus_index, query, sort):
    results = corpus_index.search(query, sort=sort)
    assert not ids(results) & RESTRICTED
    assert len(results.hits) == min(results.total, 20)
    # Every restricted item is in the SECRET district, and every item has one type: so the
    # total and the facets count no restricted item.
    assert sum(n for _, n in results.facets["type"]) == results.total <= len(PUBLIC)
    assert all(v != SECRET for v, _ in results.facets["district"])


def test_a_huge_junk_query_is_answered(corpus_index):
    junk = "".join(chr(random.Random(7).randrange(1, 0x3000)) for _ in range(10_000))
    assert corpus_index.search(junk + ' "quyền AND ~ ^ [ ] { } year: *').total >= 0
