"""Curators' exhibition definitions: read, with every mistake reported at its line, and checked
against the archive's items."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from archive.items import register
from archive.records import NewFile, NewItem
from archive.work import UnitOfWork
from exhibitions.definition import (
    Entry,
    Exhibition,
    ItemFacts,
    Problem,
    Section,
    check,
    item_facts,
    load,
)
from tests.conftest import DATA

EXAMPLES = DATA / "exhibitions"

# A definition with only what is required; each case below changes or adds one line of it.
MINIMAL = """\
id: trien-lam
kind: photo
title: {vi: "Triển lãm"}
sections:
  - title: {vi: "Phần một"}
    items:
      - item: KT-2024-000001
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exhibition.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    """What `load` says of the text, as `LINE: message`."""
    _, found = load(write(tmp_path, text))
    return [f"{p.line}: {p.message}" for p in found]


def changed(old: str, new: str) -> str:
    assert MINIMAL.count(old) == 1
    return MINIMAL.replace(old, new)


def test_the_minimal_definition_has_no_problems(tmp_path):
    exhibition, found = load(write(tmp_path, MINIMAL))
    assert found == []
    assert exhibition == Exhibition(
        id="trien-lam",
        kind="photo",
        title={"vi": "Triển lãm"},
        sections=(
            Section(title={"vi": "Phần một"}, entries=(Entry("KT-2024-000001", line=7),), line=5),
        ),
        path=tmp_path / "exhibition.yaml",
    )


def test_the_photo_example_loads_with_every_part_in_order():
    exhibition, found = load(EXAMPLES / "quyen-con-nguoi-2024.yaml")
    assert found == []
    assert exhibition.id == "quyen-con-nguoi-2024" and exhibition.kind == "photo"
    assert exhibition.title == {"vi": "Quyền con người ở Kon Tum", "en": "Human rights in Kon Tum"}
    assert exhibition.summary["en"].startswith("Documentary photographs")
    assert exhibition.partner["vi"] == "Bộ Thông tin và Truyền thông"
    assert exhibition.venue["en"] == "Kon Tum Provincial Museum"
    assert (exhibition.start, exhibition.end) == (date(2024, 12, 10), date(2024, 12, 20))
    assert exhibition.curators == ("Nguyễn Văn A", "Trần Thị B")
    assert exhibition.rights == "http://rightsstatements.org/vocab/InC-EDU/1.0/"
    assert exhibition.attribution["vi"] == "Lưu trữ lịch sử tỉnh Kon Tum"
    assert exhibition.access == "public"
    assert [s.title["en"] for s in exhibition.sections] == [
        "The right to education",
        "The right to health care",
    ]
    first, second = exhibition.sections
    assert first.text["vi"] == "Trường học ở các làng đồng bào dân tộc thiểu số."
    assert second.text == {}
    assert [e.item for e in exhibition.entries()] == [
        "KT-2024-000001",
        "KT-2024-000003",
        "KT-2024-000002",
    ]
    assert first.entries[0].caption == {
        "vi": "Lớp học ở xã Đăk Na",
        "en": "A class in Đăk Na commune",
    }
    assert first.entries[1].caption == {} and first.entries[1].pages == ()
    assert second.entries[0].caption == {"vi": "Trạm y tế xã", "en": "The commune health station"}
    assert [e.line for e in exhibition.entries()] == [20, 22, 25]


def test_the_archive_example_keeps_the_pages_in_the_curators_order():
    exhibition, found = load(EXAMPLES / "ho-so-quyen-tre-em.yaml")
    assert found == []
    assert exhibition.kind == "archive" and exhibition.access == "restricted"
    assert (exhibition.start, exhibition.end) == (date(2025, 6, 1), None)  # quoted: still a date
    assert exhibition.rights == "http://creativecommons.org/licenses/by/4.0/"
    assert [(e.item, e.pages) for e in exhibition.entries()] == [
        ("KT-2024-000010", (1, 3)),
        ("KT-2024-000011", ()),
        ("KT-2024-000012", (4, 2)),
    ]
    assert exhibition.sections[1].text == {"vi": "Báo cáo kết quả hằng năm."}
    assert exhibition.path == EXAMPLES / "ho-so-quyen-tre-em.yaml"


def test_a_file_with_several_mistakes_reports_all_of_them_as_file_line_message():
    path = EXAMPLES / "mistakes.yaml"
    exhibition, found = load(path)
    assert exhibition is None  # its id and kind are wrong: nothing to build
    assert [str(p) for p in found] == [
        f"{path}:2: id `Triển lãm 2024` must be lowercase letters, digits and hyphens; "
        "did you mean `trien-lam-2024`?",
        f"{path}:3: kind `photos` must be photo or archive; did you mean `photo`?",
        f"{path}:4: `english` in title is not a language code: write 2 or 3 lowercase letters, "
        "such as vi, en or bdq (Ba Na)",
        f"{path}:5: the end, 2024-12-10, is before the start, 2024-12-20",
        f"{path}:6: rights must be written in its http:// form: "
        "`http://rightsstatements.org/vocab/InC/1.0/`",
        f"{path}:8: section title has no Vietnamese text (`vi`)",
        f"{path}:11: unknown key `captoin` in an item entry; did you mean `caption`?",
        f"{path}:12: KT-2024-000001 is already in this exhibition, on line 10",
        f"{path}:13: `KT-2024-1` is not an accession id: they are written PREFIX-YEAR-NUMBER, "
        "such as KT-2024-000001; did you mean `KT-2024-000001`?",
        f"{path}:14: `0` is not a page number: pages are whole numbers from 1",
    ]


def test_a_python_tag_is_reported_and_never_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exhibition, found = load(EXAMPLES / "python-tag.yaml")
    assert not (tmp_path / "python-tag-ran.txt").exists()
    assert [f"{p.line}: {p.message}" for p in found] == [
        "5: the YAML tag `!!python/object/apply:os.system` is not allowed here: write plain values"
    ]
    assert exhibition is not None and exhibition.summary == {}


def test_problems_with_optional_parts_still_give_an_exhibition_to_check(tmp_path):
    text = changed("sections:", "rights: https://creativecommons.org/licenses/by/4.0/\nsections:")
    exhibition, found = load(write(tmp_path, text))
    assert [p.line for p in found] == [4]
    assert exhibition is not None and exhibition.rights == ""
    assert [e.item for e in exhibition.entries()] == ["KT-2024-000001"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            changed('title: {vi: "Triển lãm"}', 'title: "Triển lãm'),
            ["3: a quote opened on this line is never closed"],
            id="unclosed-quote",
        ),
        pytest.param(
            changed("    items:", "\titems:"),
            ["6: this line is indented with a tab: indent with spaces"],
            id="tab",
        ),
        pytest.param(
            changed('title: {vi: "Triển lãm"}', 'title: {vi: "Triển lãm" en: "Exhibition"}'),
            ["3: the {…} that opens on this line is not closed, or lacks a comma"],
            id="flow-mapping",
        ),
        pytest.param(
            changed("kind: photo", "kind: photo\n  venue: x"),
            [
                "3: a `:` where none can be: check this line's indentation, "
                "or put text that holds `: ` in quotes"
            ],
            id="indentation",
        ),
        pytest.param(
            MINIMAL + "---\nid: khac\n",
            ["8: a file holds one exhibition: remove this `---` and what follows, or split it"],
            id="two-documents",
        ),
    ],
)
def test_a_yaml_syntax_error_is_reported_at_its_line(tmp_path, text, expected):
    assert problems(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            changed("kind: photo", "kind: photo\nkind: archive"),
            "3: `kind` is given twice in the exhibition (first on line 2)",
            id="top",
        ),
        pytest.param(
            changed(
                "      - item: KT-2024-000001", "      - item: KT-2024-000001\n        item: X"
            ),
            "8: `item` is given twice in an item entry (first on line 7)",
            id="entry",
        ),
        pytest.param(
            changed('title: {vi: "Triển lãm"}', 'title: {vi: "Triển lãm", vi: "Trưng bày"}'),
            "3: `vi` is given twice in title (first on line 3)",
            id="language-map",
        ),
    ],
)
def test_a_key_given_twice_is_reported_with_the_line_of_the_first(tmp_path, text, expected):
    assert problems(tmp_path, text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            changed("kind:", "tittle: x\nkind:"),
            "2: unknown key `tittle` in the exhibition; did you mean `title`?",
            id="top",
        ),
        pytest.param(
            changed("sections:", "dates: {start: 2024-12-10, ends: 2024-12-20}\nsections:"),
            "4: unknown key `ends` in dates; did you mean `end`?",
            id="dates",
        ),
        pytest.param(
            changed("    items:", "    txt: {vi: x}\n    items:"),
            "6: unknown key `txt` in a section; did you mean `text`?",
            id="section",
        ),
        pytest.param(
            changed("KT-2024-000001", 'KT-2024-000001\n        captoin: {vi: "Ảnh"}'),
            "8: unknown key `captoin` in an item entry; did you mean `caption`?",
            id="entry",
        ),
        pytest.param(
            changed("    items:", '    caption: {vi: "Ảnh"}\n    items:'),
            "6: `caption` is not a key of a section: it belongs to an item entry",
            id="one-level-off",
        ),
        pytest.param(
            changed("kind:", "ngay: 2024\nkind:"),
            "2: unknown key `ngay` in the exhibition; the keys are: id, kind, title, summary, "
            "partner, venue, dates, curators, rights, attribution, access, sections",
            id="nothing-close",
        ),
    ],
)
def test_an_unknown_key_is_reported_with_the_closest_known_one(tmp_path, text, expected):
    assert problems(tmp_path, text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            changed("id: trien-lam\n", ""),
            "1: the exhibition has no `id` (a short name for its web address, "
            "such as quyen-con-nguoi-2024)",
            id="id",
        ),
        pytest.param(
            changed("kind: photo\n", ""), "1: the exhibition has no `kind` (photo or archive)"
        ),
        pytest.param(
            changed('title: {vi: "Triển lãm"}\n', ""),
            '1: the exhibition has no `title` (such as {vi: "…", en: "…"})',
            id="title",
        ),
        pytest.param(
            MINIMAL.split("sections:")[0],
            "1: the exhibition has no `sections` (the list of its sections)",
            id="sections",
        ),
        pytest.param(
            changed('  - title: {vi: "Phần một"}\n    items:', "  - items:"),
            '5: a section has no `title` (such as {vi: "…", en: "…"})',
            id="section-title",
        ),
        pytest.param(
            MINIMAL.split("    items:")[0] + '    text: {vi: "…"}\n',
            "5: a section has no `items` (the list of the items it shows)",
            id="section-items",
        ),
        pytest.param(
            changed("- item: KT-2024-000001", '- caption: {vi: "Ảnh"}'),
            "7: an item entry has no `item` (the accession id of an item, such as KT-2024-000001)",
            id="entry-item",
        ),
    ],
)
def test_a_missing_required_key_is_reported(tmp_path, text, expected):
    assert problems(tmp_path, text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            changed('title: {vi: "Triển lãm"}', 'title: "Triển lãm"'),
            '3: title must be a language map such as {vi: "…", en: "…"}, not `Triển lãm`',
            id="text-for-language-map",
        ),
        pytest.param(
            changed("sections:", 'curators: "Nguyễn Văn A"\nsections:'),
            '4: curators must be a list such as ["Nguyễn Văn A"], not `Nguyễn Văn A`',
            id="text-for-list",
        ),
        pytest.param(
            changed("sections:", "curators: [[Nguyễn Văn A]]\nsections:"),
            "4: a name must be text, not a list",
            id="list-for-text",
        ),
        pytest.param(
            changed("sections:", "dates: 2024-12-10\nsections:"),
            "4: dates must be a mapping of keys (start, end), not `2024-12-10`",
            id="date-for-dates",
        ),
        pytest.param(
            changed("id: trien-lam", "id: {vi: trien-lam}"),
            "1: id must be text, not a mapping",
            id="mapping-for-text",
        ),
        pytest.param(
            changed("KT-2024-000001", "KT-2024-000001\n        pages: 3"),
            "8: pages must be a list such as [1, 3], not `3`",
            id="number-for-pages",
        ),
        pytest.param(
            changed("    items:\n      - item: KT-2024-000001", "    items: KT-2024-000001"),
            "6: items must be a list such as `- item: KT-2024-000001` lines, not `KT-2024-000001`",
            id="text-for-items",
        ),
        pytest.param(
            changed("- item: KT-2024-000001", "- KT-2024-000001"),
            "7: an item entry must be written `- item: KT-2024-000001`, not `- KT-2024-000001`",
            id="bare-entry",
        ),
        pytest.param(
            changed('title: {vi: "Triển lãm"}', "title: {vi: }"),
            "3: title in `vi` is empty",
            id="empty-text",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_reported(tmp_path, text, expected):
    assert problems(tmp_path, text) == [expected]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Trien_Lam", "id `Trien_Lam` must be lowercase letters, digits and hyphens; "
         "did you mean `trien-lam`?"),
        ("Đất và người Kon Tum", "id `Đất và người Kon Tum` must be lowercase letters, digits "
         "and hyphens; did you mean `dat-va-nguoi-kon-tum`?"),
        ("trien--lam-", "id `trien--lam-` must be lowercase letters, digits and hyphens; "
         "did you mean `trien-lam`?"),
    ],
)  # fmt: skip
def test_an_id_that_is_not_a_slug_is_reported_with_one_that_is(tmp_path, written, expected):
    assert problems(tmp_path, changed("id: trien-lam", f"id: {written}")) == [f"1: {expected}"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("kind: photo", "kind: Photo",
         "2: kind `Photo` must be photo or archive; did you mean `photo`?"),
        ("kind: photo", "kind: triển lãm", "2: kind `triển lãm` must be photo or archive"),
        ("sections:", "access: restrict\nsections:",
         "4: access `restrict` must be public or restricted; did you mean `restricted`?"),
    ],
)  # fmt: skip
def test_a_value_outside_its_choices_is_reported(tmp_path, old, new, expected):
    assert problems(tmp_path, changed(old, new)) == [expected]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            'title: {vi: "Triển lãm"}',
            'title: {en: "Exhibition"}',
            ["3: title has no Vietnamese text (`vi`)"],
            id="title",
        ),
        pytest.param(
            '{vi: "Phần một"}',
            '{en: "Part one"}',
            ["5: section title has no Vietnamese text (`vi`)"],
            id="section-title",
        ),
        pytest.param(
            "    items:",
            '    text: {en: "About"}\n    items:',
            ["6: section text has no Vietnamese text (`vi`)"],
            id="section-text",
        ),
        pytest.param(
            "KT-2024-000001",
            'KT-2024-000001\n        caption: {bdq: "…"}',
            ["8: caption has no Vietnamese text (`vi`)"],
            id="caption",
        ),
        pytest.param("sections:", 'summary: {en: "About"}\nsections:', [], id="summary"),
    ],
)
def test_a_language_map_that_needs_vietnamese_and_lacks_it_is_reported(
    tmp_path, old, new, expected
):
    assert problems(tmp_path, changed(old, new)) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("english", "`english` in title is not a language code: write 2 or 3 lowercase letters, "
         "such as vi, en or bdq (Ba Na)"),
        ("VI", "`VI` in title must be written in lowercase: `vi`"),
        ("vi-VN", "`vi-VN` in title is not a language code: write 2 or 3 lowercase letters, "
         "such as vi, en or bdq (Ba Na)"),
    ],
)  # fmt: skip
def test_a_language_map_key_that_is_no_language_code_is_reported(tmp_path, written, expected):
    text = changed('title: {vi: "Triển lãm"}', f'title: {{vi: "Triển lãm", {written}: "x"}}')
    assert problems(tmp_path, text) == [f"3: {expected}"]


def test_ethnic_minority_languages_are_language_map_keys(tmp_path):
    text = changed('title: {vi: "Triển lãm"}', 'title: {vi: "Triển lãm", bdq: "…", sed: "…"}')
    exhibition, found = load(write(tmp_path, text))
    assert found == []
    assert list(exhibition.title) == ["vi", "bdq", "sed"]


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ("{start: 2024-02-30}", "start `2024-02-30` is not a real date"),
        ('{start: "2024-02-30"}', "start `2024-02-30` is not a real date"),
        ("{end: 10/12/2024}", "end `10/12/2024` is not a date written YYYY-MM-DD, "
         "such as 2024-12-10"),
        ("{start: 2024-12-10 10:00:00}", "start `2024-12-10 10:00:00` is not a date written "
         "YYYY-MM-DD, such as 2024-12-10"),
        ("{start: 2024-12-20, end: 2024-12-10}", "the end, 2024-12-10, is before the start, "
         "2024-12-20"),
        ("{start: [2024]}", "start must be a date such as 2024-12-10, not a list"),
        ("{start: }", "start is empty"),
    ],
)  # fmt: skip
def test_a_date_that_is_not_a_real_iso_date_is_reported(tmp_path, dates, expected):
    assert problems(tmp_path, changed("sections:", f"dates: {dates}\nsections:")) == [
        f"4: {expected}"
    ]


def test_an_end_on_another_line_is_reported_at_its_own_line(tmp_path):
    text = changed("sections:", "dates:\n  start: 2024-12-20\n  end: 2024-12-10\nsections:")
    assert problems(tmp_path, text) == ["6: the end, 2024-12-10, is before the start, 2024-12-20"]


def test_a_date_may_be_written_with_or_without_quotes(tmp_path):
    text = changed("sections:", "dates: {start: 2024-12-10, end: '2024-12-20'}\nsections:")
    exhibition, found = load(write(tmp_path, text))
    assert found == []
    assert (exhibition.start, exhibition.end) == (date(2024, 12, 10), date(2024, 12, 20))


@pytest.mark.parametrize(
    ("rights", "expected"),
    [
        ("https://rightsstatements.org/vocab/InC-EDU/1.0/",
         "rights must be written in its http:// form: "
         "`http://rightsstatements.org/vocab/InC-EDU/1.0/`"),
        ("https://creativecommons.org/licenses/by/4.0/",
         "rights must be written in its http:// form: "
         "`http://creativecommons.org/licenses/by/4.0/`"),
        ("http://creativecommons.org/licenses/by/4.0",
         "rights `http://creativecommons.org/licenses/by/4.0` is not written as the standard "
         "says; did you mean `http://creativecommons.org/licenses/by/4.0/`?"),
        ("Bản quyền thuộc Lưu trữ tỉnh",
         "rights `Bản quyền thuộc Lưu trữ tỉnh` is not a RightsStatements.org or Creative "
         "Commons URI, such as http://rightsstatements.org/vocab/InC-EDU/1.0/"),
    ],
)  # fmt: skip
def test_rights_must_be_a_standard_uri_in_its_http_form(tmp_path, rights, expected):
    assert problems(tmp_path, changed("sections:", f"rights: {rights}\nsections:")) == [
        f"4: {expected}"
    ]


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("[0, 2]", ["`0` is not a page number: pages are whole numbers from 1"]),
        ("[-1]", ["`-1` is not a page number: pages are whole numbers from 1"]),
        ("[1.5]", ["`1.5` is not a page number: pages are whole numbers from 1"]),
        ("[one]", ["`one` is not a page number: pages are whole numbers from 1"]),
        ('["2"]', ["page `2` is in quotes: write it without them"]),
        ("[2, 3, 2]", ["page 2 is listed twice"]),
        ("[]", ["pages is empty: leave `pages` out to show every page"]),
    ],
)
def test_pages_must_be_a_list_of_positive_whole_numbers(tmp_path, pages, expected):
    text = changed("KT-2024-000001", f"KT-2024-000001\n        pages: {pages}")
    assert problems(tmp_path, text) == [f"8: {message}" for message in expected]


def test_the_same_item_twice_is_reported_at_the_second_naming_the_first(tmp_path):
    text = MINIMAL + (
        '  - title: {vi: "Phần hai"}\n'
        "    items:\n"
        "      - item: KT-2024-000002\n"
        "      - item: KT-2024-000001\n"
    )
    exhibition, found = load(write(tmp_path, text))
    assert [f"{p.line}: {p.message}" for p in found] == [
        "11: KT-2024-000001 is already in this exhibition, on line 7"
    ]
    assert [e.item for e in exhibition.entries()] == ["KT-2024-000001", "KT-2024-000002"]


@pytest.mark.parametrize(
    ("written", "guess"),
    [("kt-2024-000001", "KT-2024-000001"), ("KT-2024-12", "KT-2024-000012"),
     ("KT 2024 000001", "KT-2024-000001"), ("2024-000001", None), ("KT-24-000001", None)],
)  # fmt: skip
def test_an_accession_id_not_in_the_archives_form_is_reported(tmp_path, written, guess):
    text = changed("item: KT-2024-000001", f"item: {written}")
    hint = f"; did you mean `{guess}`?" if guess else ""
    assert problems(tmp_path, text) == [
        f"7: `{written}` is not an accession id: they are written PREFIX-YEAR-NUMBER, "
        f"such as KT-2024-000001{hint}"
    ]


def test_text_is_normalised_to_nfc(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Quyền con người")
    text = changed('title: {vi: "Triển lãm"}', f'title: {{vi: "{decomposed}"}}')
    text = text.replace("kind: photo", f"kind: photo\ncurators: [{decomposed}]")
    exhibition, found = load(write(tmp_path, text))
    assert found == []
    assert exhibition.title["vi"] == unicodedata.normalize("NFC", "Quyền con người")
    assert exhibition.curators == (unicodedata.normalize("NFC", "Quyền con người"),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            changed("kind: photo", "kind: !include kind.yaml"),
            "2: the YAML tag `!include` is not allowed here: write plain values",
            id="custom",
        ),
        pytest.param(
            changed("kind: photo", "kind: !!binary cGhvdG8="),
            "2: the YAML tag `!!binary` is not allowed here: write plain values",
            id="binary",
        ),
    ],
)
def test_a_yaml_tag_is_reported_once_and_not_read(tmp_path, text, expected):
    exhibition, found = load(write(tmp_path, text))
    assert [f"{p.line}: {p.message}" for p in found] == [expected]
    assert exhibition is None  # kind, which is required, could not be read


def test_an_alias_that_names_its_own_list_does_not_hang(tmp_path):
    text = changed("sections:", "curators: &names [Nguyễn Văn A, *names]\nsections:")
    assert problems(tmp_path, text) == ["4: a name must be text, not a list"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "1: the file is empty"),
        (b"# only a comment\n", "1: the file is empty"),
        (b"- trien-lam\n", "1: the exhibition must be a mapping of keys (id, kind, title, "
         "summary, partner, venue, dates, curators, rights, attribution, access, sections), "
         "not a list"),
        ("title: Lưu\n".encode("cp1258"), "1: the file is not UTF-8 text; save it as UTF-8"),
    ],
)  # fmt: skip
def test_a_file_that_holds_no_definition_says_why(tmp_path, content, expected):
    path = tmp_path / "exhibition.yaml"
    path.write_bytes(content)
    exhibition, found = load(path)
    assert exhibition is None
    assert [f"{p.line}: {p.message}" for p in found] == [expected]


def test_a_missing_file_is_one_problem_not_a_crash(tmp_path):
    exhibition, found = load(tmp_path / "none.yaml")
    assert exhibition is None
    assert [str(p) for p in found] == [
        f"{tmp_path / 'none.yaml'}:1: the file cannot be read: No such file or directory"
    ]


# -- checked against the archive's items -------------------------------------------------------

FACTS = {
    "KT-2024-000001": ItemFacts(type="photo", access="public", pages=1),
    "KT-2024-000002": ItemFacts(type="document", access="public", pages=3),
    "KT-2024-000003": ItemFacts(type="document", access="restricted", pages=1),
}


def exhibition_of(*entries: Entry, kind: str = "archive", access: str = "public") -> Exhibition:
    return Exhibition(
        id="trien-lam",
        kind=kind,
        title={"vi": "Triển lãm"},
        access=access,
        sections=(Section(title={"vi": "Phần một"}, entries=entries),),
        path=Path("trien-lam.yaml"),
    )


def test_items_the_archive_holds_as_the_definition_says_have_no_problems():
    exhibition = exhibition_of(
        Entry("KT-2024-000001", line=7), Entry("KT-2024-000002", pages=(3, 1), line=9)
    )
    assert check(exhibition, FACTS) == []


@pytest.mark.parametrize(
    ("entry", "access", "expected"),
    [
        (Entry("KT-2024-000009", line=12), "public", "KT-2024-000009 is not in the archive"),
        (Entry("KT-2024-000003", line=12), "public",
         "KT-2024-000003 is restricted, and a public exhibition shows public items only"),
        (Entry("KT-2024-000002", pages=(1, 7), line=12), "public",
         "page 7, but KT-2024-000002 has 3 pages"),
        (Entry("KT-2024-000003", pages=(2,), line=12), "restricted",
         "page 2, but KT-2024-000003 has 1 page"),
        (Entry("KT-2024-000001", pages=(1,), line=12), "public",
         "KT-2024-000001 is a photo: `pages` is only for documents"),
    ],
)  # fmt: skip
def test_check_reports_what_the_archive_says_against_the_definition(entry, access, expected):
    found = check(exhibition_of(entry, access=access), FACTS)
    assert [str(p) for p in found] == [f"trien-lam.yaml:12: {expected}"]


def test_a_restricted_exhibition_may_show_restricted_items():
    assert check(exhibition_of(Entry("KT-2024-000003"), access="restricted"), FACTS) == []


def test_an_archive_exhibition_may_show_only_photos():
    assert check(exhibition_of(Entry("KT-2024-000001"), kind="archive"), FACTS) == []


def test_problem_reads_as_file_line_message():
    assert str(Problem("a.yaml", 3, "kind `x` must be photo or archive")) == (
        "a.yaml:3: kind `x` must be photo or archive"
    )


# -- against a real archive database -----------------------------------------------------------


def new_item(n: int, kind: str, pages: int, access: str = "public") -> NewItem:
    file = NewFile(
        sha256=f"{n:064x}",
        size=1,
        media_type="image/tiff",
        original_path=f"/in/{n}.tif",
        stored_path=f"masters/{n}",
        frames=((100, 140),) * pages,
        source_path=f"/in/{n}.tif",
        mtime_ns=0,
    )
    return NewItem(content_hash=f"{n:064x}", type=kind, files=[file], rights="r", access=access)


@pytest.fixture
def registered(archive) -> dict[str, str]:
    """Accession ids of a photo, a document of 3 pages and a restricted document of 2."""
    news = [new_item(1, "photo", 1), new_item(2, "document", 3), new_item(3, "document", 2)]
    news[2].access = "restricted"
    with archive.session() as session:
        made = register(UnitOfWork(archive, session, "test", "test"), news, "KT")  # rows alone
        ids = [item.accession_id for _, item in made]
    return dict(zip(("photo", "document", "restricted"), ids, strict=True))


def test_item_facts_reads_type_access_and_page_count_of_the_ids_that_exist(archive, registered):
    with archive.session() as session:
        facts = item_facts(session, [*registered.values(), "KT-2024-999999"])
    assert facts == {
        registered["photo"]: ItemFacts(type="photo", access="public", pages=1),
        registered["document"]: ItemFacts(type="document", access="public", pages=3),
        registered["restricted"]: ItemFacts(type="document", access="restricted", pages=2),
    }


def test_a_definition_is_checked_against_the_archive_database(archive, registered, tmp_path):
    text = (
        "id: tu-lieu\n"
        "kind: archive\n"
        'title: {vi: "Tư liệu"}\n'
        "sections:\n"
        '  - title: {vi: "Phần một"}\n'
        "    items:\n"
        f"      - item: {registered['photo']}\n"
        f"      - item: {registered['document']}\n"
        "        pages: [3, 4]\n"
        f"      - item: {registered['restricted']}\n"
        "      - item: KT-2024-999999\n"
    )
    exhibition, found = load(write(tmp_path, text))
    assert found == []
    with archive.session() as session:
        facts = item_facts(session, (e.item for e in exhibition.entries()))
    assert [f"{p.line}: {p.message}" for p in check(exhibition, facts)] == [
        f"9: page 4, but {registered['document']} has 3 pages",
        f"10: {registered['restricted']} is restricted, and a public exhibition shows public "
        "items only",
        "11: KT-2024-999999 is not in the archive",
    ]
