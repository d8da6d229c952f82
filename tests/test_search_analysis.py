"""The search index's pure parts: Vietnamese analysis, the query language, finding words within."""

from __future__ import annotations

import unicodedata

import pytest

from search_index.analysis import (
    english_analyzer,
    exact_analyzer,
    fold,
    folded_analyzer,
    light_stem,
    tokens,
)
from search_index.query import MAX_CLAUSES, Clause, FieldFilter, parse
from search_index.within import best_passage, locate, passage

GRAVE, ACUTE, HOOK, TILDE, DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
# Every Vietnamese vowel, with the letter it folds to.
VOWELS = {
    "a": "a", "ă": "a", "â": "a", "e": "e", "ê": "e", "i": "i", "o": "o", "ô": "o", "ơ": "o",
    "u": "u", "ư": "u", "y": "y",
}  # fmt: skip


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# ---------------------------------------------------------------------------------------------
# fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("quyền", "quyen"),
        ("Quyền con người", "quyen con nguoi"),
        ("Đắk Glei", "dak glei"),
        ("đ", "d"),
        ("Đ", "d"),
        ("Tu Mơ Rông", "tu mo rong"),
        ("Rơ Măm", "ro mam"),
        ("Ia H'Drai", "ia h'drai"),
        ("quyen", "quyen"),
        ("1297/KH-UBND", "1297/kh-ubnd"),
    ],
)
def test_fold_removes_every_mark_and_turns_d_with_stroke_into_d(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("vowel", sorted(VOWELS))
@pytest.mark.parametrize("tone", ["", GRAVE, ACUTE, HOOK, TILDE, DOT])
def test_fold_strips_every_tone_from_every_vowel_in_either_case(vowel, tone):
    marked = unicodedata.normalize("NFC", vowel + tone)
    assert len(marked) == 1  # Vietnamese has a precomposed letter for each
    assert fold(marked) == VOWELS[vowel]
    assert fold(marked.upper()) == VOWELS[vowel]
    assert fold(nfd(marked)) == VOWELS[vowel]


def test_fold_is_idempotent_and_keeps_unmarked_text():
    text = "Công ước về Quyền trẻ em (CRC) – Đắk Plô, 2019"
    assert fold(fold(text)) == fold(text)
    assert fold(text) == "cong uoc ve quyen tre em (crc) – dak plo, 2019"


# ---------------------------------------------------------------------------------------------
# tokens


def test_tokens_keep_one_letter_syllables_and_short_words():
    assert tokens("Ở đây có ý kiến: a, an, in, to, ơ, ư") == [
        "ở", "đây", "có", "ý", "kiến", "a", "an", "in", "to", "ơ", "ư",
    ]  # fmt: skip


def test_tokens_are_nfc_whatever_the_input_form():
    assert tokens(nfd("Quyền TRẺ em")) == ["quyền", "trẻ", "em"]
    assert all(unicodedata.is_normalized("NFC", t) for t in tokens(nfd("người dân tộc")))


def test_tokens_keep_apostrophes_inside_words_and_split_at_punctuation():
    assert tokens("Ia H'Drai, Ia H’Drai") == ["ia", "h'drai", "ia", "h'drai"]
    assert tokens("'quoted' 1297/KH-UBND snake_case 2023–2028") == [
        "quoted", "1297", "kh", "ubnd", "snake", "case", "2023", "2028",
    ]  # fmt: skip


def test_light_stem_removes_plurals_only():
    assert light_stem("rights") == "right"
    assert light_stem("communities") == "community"
    assert light_stem("provinces") == "province"
    assert light_stem("child's") == "child"
    assert [light_stem(w) for w in ("status", "class", "bus", "was", "communication")] == [
        "status", "class", "bus", "was", "communication",
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The Whoosh analyzers agree with tokens() and fold()


def texts(analyzer, text: str) -> list[str]:
    return [token.text for token in analyzer(text)]


def test_exact_analyzer_keeps_marks_and_every_syllable():
    text = nfd("Ở Kon Tum, ý kiến của người dân a to in")
    assert texts(exact_analyzer(), text) == tokens(text)


def test_folded_analyzer_folds_each_token():
    text = "Quyền trẻ em ở Đắk Glei"
    assert texts(folded_analyzer(), text) == ["quyen", "tre", "em", "o", "dak", "glei"]


def test_english_analyzer_folds_and_stems_lightly():
    text = "Human rights of communities in Đắk Glei"
    assert texts(english_analyzer(), text) == [
        "human", "right", "of", "community", "in", "dak", "glei",
    ]  # fmt: skip


def test_analyzers_give_positions_and_offsets_into_the_nfc_text():
    text = "Quyền của trẻ em"
    found = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in exact_analyzer()(text, positions=True, chars=True)
    ]
    assert found == [("quyền", 0, 0, 5), ("của", 1, 6, 9), ("trẻ", 2, 10, 13), ("em", 3, 14, 16)]


# ---------------------------------------------------------------------------------------------
# The query language


def test_words_phrases_and_exclusions_are_parsed():
    parsed = parse('quyền "trẻ em" -ma -"tra tấn"')
    assert parsed.clauses == (
        Clause(("quyền",), raw="quyền"),
        Clause(("trẻ", "em"), phrase=True),
        Clause(("ma",), negated=True, raw="ma"),
        Clause(("tra", "tấn"), phrase=True, negated=True),
    )
    assert parse('"quyen tre em"').patterns() == [("quyen", "tre", "em")]


def test_field_filters_are_parsed():
    parsed = parse('type:photo year:1975..1980 tag:CRC collection:fonds/series lang:vie '
                   'decade:1970s -district:"Đắk Glei" year:1990')  # fmt: skip
    assert parsed.clauses == ()
    assert parsed.filters == (
        FieldFilter("type", "photo"),
        FieldFilter("year", "1975..1980", years=(1975, 1980)),
        FieldFilter("tag", "CRC"),
        FieldFilter("collection", "fonds/series"),
        FieldFilter("language", "vie"),
        FieldFilter("decade", "1970s"),
        FieldFilter("district", "Đắk Glei", negated=True),
        FieldFilter("year", "1990", years=(1990, 1990)),
    )
    assert parse("year:..1980").filters[0].years == (None, 1980)
    assert parse("year:1980-1975").filters[0].years == (1975, 1980)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ('"quyền con', ["quyền", "con"]),  # unbalanced quote
        ("quyền: con :: người", ["quyền", "con", "người"]),  # stray colons
        ("type: ảnh", ["type", "ảnh"]),  # a field with nothing
        ("year:abc", ["year", "abc"]),
        ("access:restricted", ["access", "restricted"]),  # not a field anyone may name
        ("*", []),
        (
            "quyền AND con OR NOT người~2 ^3 [a TO b] {x}",
            ["quyền", "and", "con", "or", "not", "người", "2", "3", "a", "to", "b", "x"],
        ),
        ("quyền\x00con\x1b[31m\u200bngười", ["quyền", "con", "31m", "người"]),
    ],
)
def test_malformed_queries_are_plain_words(query, words):
    parsed = parse(query)
    assert parsed.filters == ()
    assert [w for c in parsed.clauses for w in c.words] == words


def test_a_huge_query_is_cut_short():
    parsed = parse("quyền " * 5000 + "x" * 10_000)
    assert len(parsed.clauses) == MAX_CLAUSES


# ---------------------------------------------------------------------------------------------
# Within one item: OCR words and snippets


def words_of(text: str) -> list[list]:
    """OCR-style word boxes for `text`: [text, x, y, w, h, confidence]."""
    return [[w, 10 * i, 20, 8, 12, 95.0] for i, w in enumerate(text.split())]


def test_locate_finds_folded_words_and_phrases_in_page_order():
    pages = [
        (2, words_of("Quyền trẻ em được bảo vệ.")),
        (1, words_of("Công ước về quyền trẻ em, quyền con người.")),
    ]
    found = locate('"quyen tre em"', pages)
    assert [(f["page"], f["words"], f["text"]) for f in found] == [
        (1, [3, 4, 5], "quyền trẻ em,"),
        (2, [0, 1, 2], "Quyền trẻ em"),
    ]
    assert found[0]["boxes"] == [[30, 20, 8, 12], [40, 20, 8, 12], [50, 20, 8, 12]]
    assert [(f["page"], f["words"]) for f in locate("quyền", pages)] == [
        (1, [3]), (1, [6]), (2, [0]),
    ]  # fmt: skip


def test_locate_needs_the_phrase_words_consecutive():
    assert locate('"quyền em"', [(1, words_of("quyền trẻ em"))]) == []
    assert locate("", [(1, words_of("quyền trẻ em"))]) == []
    assert locate("-quyền type:photo", [(1, words_of("quyền trẻ em"))]) == []


def test_passage_escapes_the_text_and_marks_the_matches():
    found = passage(
        [("script",), ("quyen", "tre", "em")], "<script>alert('x')</script> Quyền trẻ em & "
    )
    assert found is not None
    assert found.html == (
        "&lt;<mark>script</mark>&gt;alert(&#x27;x&#x27;)&lt;/<mark>script</mark>&gt; "
        "<mark>Quyền trẻ em</mark> &amp;"
    )


def test_passage_is_a_window_around_the_matches():
    text = " ".join(f"w{i}" for i in range(100)) + " quyền " + " ".join(f"v{i}" for i in range(100))
    found = passage([("quyen",)], text)
    assert found is not None
    assert found.html.startswith("… w94 w95")
    assert "<mark>quyền</mark>" in found.html
    assert found.html.endswith("v22 …")


def test_best_passage_prefers_the_page_with_most_of_the_words():
    pages = [(1, "quyền con người"), (2, "quyền trẻ em, trẻ em"), (3, "không có gì")]
    found = best_passage(parse("quyen tre em"), pages, [("Báo cáo về trẻ em", False)])
    assert found is not None and found.page == 2
    assert (
        found.html
        == "<mark>quyền</mark> <mark>trẻ</mark> <mark>em</mark>, <mark>trẻ</mark> <mark>em</mark>"
    )


def test_best_passage_falls_back_to_the_description():
    found = best_passage(parse(""), [(1, "trang một")], [("Ảnh <b>đẹp</b>", False)])
    assert found is not None and found.page is None
    assert found.html == "Ảnh &lt;b&gt;đẹp&lt;/b&gt;"
    english = best_passage(parse("right"), [], [("Human rights", True)])
    assert english is not None and english.html == "Human <mark>rights</mark>"
