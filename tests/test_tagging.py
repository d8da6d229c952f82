import json
import unicodedata
from pathlib import Path

import pytest
import yaml

from archive.concepts import Concept, Phrase
from archive.edtf import year_range
from archive.tagging import THRESHOLD, Suggestion, decade, suggest, tokenize
from archive.vocabulary import load
from search_index.analysis import spans

LABELLED = Path(__file__).parent / "data" / "tagging" / "labelled.yaml"


@pytest.fixture(scope="module")
def vocabularies():
    return load()


def tags(vocabularies, text, field="text", **kwargs) -> set[tuple[str, str]]:
    found = suggest(vocabularies, fields=[(field, 1 if field == "text" else None, text)], **kwargs)
    return {(s.vocabulary, s.term) for s in found}


def terms(vocabularies, text, vocabulary, field="text") -> set[str]:
    return {term for v, term in tags(vocabularies, text, field) if v == vocabulary}


# -- rule 1: whole syllables ----------------------------------------------------------------------


def test_a_place_name_matches_whole_syllables_only(vocabularies):
    assert "dak-to" in terms(vocabularies, "Đoàn công tác đến huyện Đắk Tô.", "district")
    assert "dak-to" not in terms(vocabularies, "Đoàn đến suối Đắk Tôi.", "district")


# -- rule 2: diacritics ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Tuyên truyền về quyen tre em.", "Cong uoc ve quyen tre em.", "Quyền tre em được bảo vệ."],
)
def test_a_phrase_written_without_its_diacritics_does_not_count(vocabularies, text):
    assert "CRC" not in terms(vocabularies, text, "convention")


@pytest.mark.parametrize(
    "text",
    [
        "Công ước về xóa bỏ mọi hình thức phân biệt đối xử với phụ nữ",  # tone on the o
        "Công ước về xoá bỏ mọi hình thức phân biệt đối xử với phụ nữ",  # tone on the a
    ],
)
def test_both_standard_tone_placements_match(vocabularies, text):
    assert terms(vocabularies, text, "convention") == {"CEDAW"}


def test_decomposed_unicode_matches_and_offsets_are_in_the_nfc_text(vocabularies):
    text = "Báo cáo: bị tra tấn trong trại giam."
    [cat] = [
        s
        for s in suggest(vocabularies, fields=[("text", 2, unicodedata.normalize("NFD", text))])
        if s.term == "CAT"
    ]
    [match] = cat.evidence["matches"]
    assert match["text"] == "tra tấn"
    assert text[match["at"] : match["at"] + len("tra tấn")] == "tra tấn"


def test_tagging_and_search_cut_a_text_into_the_same_syllables():
    """A mark NFC cannot compose (the breve on ơ in Bahnar's ơ̆) stays inside its syllable, and
    an apostrophe inside a name joins it, for the tagger as for the search index."""
    text = unicodedata.normalize("NFC", "Làng Kơ\u0306n, Ia H'Drai và Ê-đê\u2019s: 3,2 ha.")
    syllables = [(t.text, t.start, t.end) for t in tokenize(text)]
    assert [s for s, _, _ in syllables][:5] == ["Làng", "Kơ̆n", "Ia", "H'Drai", "và"]
    assert [(s.lower(), start, end) for s, start, end in syllables] == spans(text)


def test_ba_nam_three_years_is_not_the_ba_na(vocabularies):
    text = "Sau ba năm thực hiện, ba nà trồng na. Sau ba năm, huyện hoàn thành kế hoạch."
    assert "ba-na" not in terms(vocabularies, text, "ethnic-group")


def test_brau_needs_its_circumflex_and_a_whole_syllable(vocabularies):
    assert "brau" in terms(vocabularies, "Dân ca của người Brâu ở làng Đắk Mế.", "ethnic-group")
    assert "brau" in terms(vocabularies, "Lớp dạy chiêng Brâu.", "ethnic-group")
    assert "brau" not in terms(vocabularies, "Lớp dạy chiêng Brau, Brâuk.", "ethnic-group")


# -- rule 3: punctuation, hyphens, line breaks ----------------------------------------------------


def test_a_phrase_does_not_run_across_punctuation_but_does_across_a_line_break(vocabularies):
    assert "CAT" not in terms(vocabularies, "Biên bản ghi rõ: kiểm tra, tấn công.", "convention")
    assert "CAT" not in terms(vocabularies, "Đã rà soát hồ sơ tra. Tấn suất cao.", "convention")
    assert "CAT" in terms(
        vocabularies, "Nghiêm cấm mọi hành vi tra\ntấn người bị giam.", "convention"
    )


def test_the_old_hyphenated_spelling_of_a_name_matches(vocabularies):
    assert "ba-na" in terms(vocabularies, "Nhà rông của đồng bào Ba-na.", "ethnic-group")
    assert "xo-dang" in terms(vocabularies, "Dân tộc Xơ-đăng ở Kon Plông.", "ethnic-group")


# -- rule 4: capitals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Phát triển kinh tế - xã hội, tăng thu ngân sách.",
        "Kinh tế của huyện tăng trưởng khá.",
        "KINH TẾ TIẾP TỤC PHÁT TRIỂN",
        "Rút kinh nghiệm trong giải ngân vốn. Kinh nghiệm cho thấy cần làm sớm.",
        "Kinh phí do ngân sách tỉnh bảo đảm.",
        "Tập huấn cho người kinh doanh. Người Kinh doanh đạt yêu cầu được cấp giấy.",
        "Khen thưởng bà Lê Thị Kinh, chuyên viên.",
    ],
)
def test_kinh_the_people_is_not_kinh_te_or_kinh_phi(vocabularies, text):
    assert "kinh" not in terms(vocabularies, text, "ethnic-group")


@pytest.mark.parametrize(
    "text",
    [
        "Thôn có 40 hộ người Kinh sống xen kẽ.",
        "Các dân tộc Kinh, Ba Na, Xơ Đăng cùng sinh sống.",
        "Đồng bào Xơ Đăng và đồng bào Kinh đoàn kết.",
    ],
)
def test_kinh_the_people_is_tagged(vocabularies, text):
    assert "kinh" in terms(vocabularies, text, "ethnic-group")


def test_an_acronym_must_be_in_capitals(vocabularies):
    assert "CAT" not in terms(vocabularies, "the cat sat on the mat", "convention")
    assert "CAT" in terms(vocabularies, "Báo cáo thực hiện Công ước CAT.", "convention")


# -- rule 5: a longer proper name -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("Bàn giao trạm y tế xã Đắk Tô Kan, huyện Tu Mơ Rông.", "tu-mo-rong"),
        ("Lớp học ở xã Đắk Tô Kan được khánh thành.", "tu-mo-rong"),
    ],
)
def test_dak_to_inside_a_longer_name_is_not_the_district(vocabularies, text, district):
    found = terms(vocabularies, text, "district")
    assert "dak-to" not in found
    assert district in found


def test_a_name_at_the_end_of_a_line_is_not_extended_by_the_next_line(vocabularies):
    text = "UBND huyện Đắk Tô\nBan chỉ đạo phòng chống dịch"
    assert "dak-to" in terms(vocabularies, text, "district")


def test_a_heading_in_capitals_is_not_a_longer_name(vocabularies):
    text = "UBND HUYỆN ĐẮK TÔ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert "dak-to" in terms(vocabularies, text, "district")


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Khu du lịch Ba Na Hills ở Đà Nẵng.", "ba-na"),
        ("Học tập kinh nghiệm tại Thái Lan.", "thai"),
        ("Lao động là người Thái Bình vào lập nghiệp.", "thai"),
        ("Hội thảo ở Mường Tè, Lai Châu.", "muong"),
    ],
)
def test_a_longer_proper_name_is_not_the_ethnic_group(vocabularies, text, group):
    assert group not in terms(vocabularies, text, "ethnic-group")


def test_laos_is_not_lao_cai(vocabularies):
    assert "foreign-affairs" not in terms(vocabularies, "Lào Cai. Lào Cai.", "theme", "title")
    assert "foreign-affairs" in terms(vocabularies, "Đoàn công tác sang Lào", "theme", "title")


# -- rule 6: a person's name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Giấy khen cho ông Nguyễn Văn Thái.",
        "Ông Thái cho biết.",
        "Đồng chí Trần Quốc Tày phát biểu.",
        "Đ/c Thái phát biểu.",
    ],
)
def test_a_persons_name_is_not_an_ethnic_group(vocabularies, text):
    assert not terms(vocabularies, text, "ethnic-group")


def test_a_list_of_ethnic_groups_tags_each(vocabularies):
    text = "Có 1.215 hộ đồng bào Tày, Nùng, Thái, Mông di cư tự do."
    assert terms(vocabularies, text, "ethnic-group") == {"tay", "nung", "thai", "mong"}


# -- rule 7: excludes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Lực lượng tuần tra, kiểm tra tấn công trấn áp tội phạm.",
        "Cảnh sát giao thông tuần tra tấn công trên Quốc lộ 14.",
        "Cơ quan điều tra tấn công các ổ nhóm tội phạm.",
    ],
)
def test_kiem_tra_tan_cong_is_not_torture(vocabularies, text):
    assert "CAT" not in terms(vocabularies, text, "convention")


@pytest.mark.parametrize(
    "text",
    ["Người bị tạm giữ không bị tra tấn.", "Nghiêm cấm tra tấn công dân dưới mọi hình thức."],
)
def test_tra_tan_is_torture(vocabularies, text):
    assert "CAT" in terms(vocabularies, text, "convention")


# -- rule 8: the longer match within a vocabulary -------------------------------------------------


def test_the_commune_dak_ha_of_tu_mo_rong_is_not_the_district_dak_ha(vocabularies):
    assert terms(vocabularies, "Xã Đắk Hà, huyện Tu Mơ Rông.", "district") == {"tu-mo-rong"}
    assert terms(vocabularies, "Trường ở thị trấn Đắk Hà.", "district") == {"dak-ha"}


@pytest.mark.parametrize(
    "text",
    [
        "UBND tỉnh Kon Tum ban hành kế hoạch.",
        "Kon Tum, ngày 5 tháng 5 năm 2023",
        "Kon Tum province borders Laos and Cambodia.",
    ],
)
def test_kon_tum_alone_is_the_province_not_the_city(vocabularies, text):
    assert "kon-tum-city" not in terms(vocabularies, text, "district")


@pytest.mark.parametrize(
    "text",
    [
        "Hội nghị tại thành phố Kon Tum.",
        "Hội nghị tại TP. Kon Tum.",
        "Giải phóng thị xã Kon Tum năm 1975.",
        "A workshop in Kon Tum City.",
    ],
)
def test_the_city_is_kon_tum_with_city_or_thanh_pho(vocabularies, text):
    assert terms(vocabularies, text, "district") == {"kon-tum-city"}


# -- children: the theme and the convention -------------------------------------------------------


def test_children_alone_is_the_theme_not_the_convention(vocabularies):
    text = "Tặng quà cho trẻ em nghèo. Trẻ em được khám sức khỏe miễn phí."
    found = tags(vocabularies, text)
    assert ("theme", "children") in found
    assert ("convention", "CRC") not in found


def test_childrens_rights_are_the_convention_and_the_theme(vocabularies):
    found = tags(vocabularies, "Tuyên truyền về quyền trẻ em ở trường học.")
    assert {("convention", "CRC"), ("theme", "children")} <= found


def test_a_broader_concept_is_not_added(vocabularies):
    found = tags(vocabularies, "Bảo vệ trẻ em có hoàn cảnh đặc biệt.")
    assert ("theme", "children") in found
    assert ("theme", "vulnerable-groups") not in found


# -- English --------------------------------------------------------------------------------------


def test_english_phrases_count_in_english_text(vocabularies):
    found = tags(vocabularies, "A report on torture prevention in Dak To District.")
    assert {("convention", "CAT"), ("district", "dak-to")} <= found


# -- score ----------------------------------------------------------------------------------------


def test_a_passing_mention_in_the_body_is_not_enough_but_the_title_is(vocabularies):
    assert "religion-belief" not in terms(vocabularies, "An ninh tôn giáo ổn định.", "theme")
    assert "religion-belief" in terms(vocabularies, "Tình hình tôn giáo", "theme", "title")
    two = "Tôn giáo ổn định. Các tổ chức tôn giáo hoạt động đúng pháp luật."
    assert "religion-belief" in terms(vocabularies, two, "theme")


def test_an_enumeration_in_one_sentence_is_one_mention(vocabularies):
    text = "Phối hợp phòng chống sốt rét, dịch bệnh ở khu vực biên giới."
    assert "health" not in terms(vocabularies, text, "theme")


def test_an_official_name_is_enough_anywhere(vocabularies):
    text = "Phụ lục: Công ước quốc tế về các quyền kinh tế, xã hội và văn hóa."
    assert terms(vocabularies, text, "convention") == {"ICESCR"}


def test_scores_are_capped_and_the_threshold_can_be_lowered(vocabularies):
    text = "Quyền trẻ em. " * 20
    [crc] = [s for s in suggest(vocabularies, fields=[("text", 1, text)]) if s.term == "CRC"]
    assert crc.score == 1.0
    passing = [("text", 1, "An ninh tôn giáo ổn định.")]
    assert not [s for s in suggest(vocabularies, fields=passing) if s.term == "religion-belief"]
    [low] = [
        s
        for s in suggest(vocabularies, fields=passing, threshold=0.2)
        if s.term == "religion-belief"
    ]
    assert low.score == 0.25 < THRESHOLD


def test_the_evidence_names_each_match_and_is_json(vocabularies):
    fields = [
        ("title", None, "Phòng, chống tra tấn"),
        ("text", 3, "Nghiêm cấm bức cung, nhục hình."),
    ]
    [cat] = [s for s in suggest(vocabularies, fields=fields) if s.term == "CAT"]
    assert cat.evidence == {
        "rule": "phrase",
        "matches": [
            {"phrase": "tra tấn", "field": "title", "page": None, "at": 13, "text": "tra tấn"},
            {"phrase": "bức cung", "field": "text", "page": 3, "at": 11, "text": "bức cung"},
            {"phrase": "nhục hình", "field": "text", "page": 3, "at": 21, "text": "nhục hình"},
        ],
        "count": 3,
    }
    json.dumps([s.evidence for s in suggest(vocabularies, fields=fields)])


def test_one_suggestion_per_term_sorted_by_vocabulary_then_score(vocabularies):
    fields = [("text", 1, "Quyền trẻ em. Người Ba Na ở huyện Đắk Hà. Tôn giáo.")]
    found = suggest(vocabularies, fields=fields, latitude=14.52, longitude=107.93)
    keys = [(s.vocabulary, s.term) for s in found]
    assert len(keys) == len(set(keys))
    assert found == sorted(found, key=lambda s: (s.vocabulary, -s.score, s.term))


def test_suggest_works_on_any_vocabulary():
    concept = Concept(
        id="pleiku",
        vocabulary="district",
        pref={"vi": "Thành phố Pleiku"},
        phrases=(Phrase("thành phố Pleiku"), Phrase("Pleiku", 0.25)),
        bbox=(13.9, 107.9, 14.05, 108.1),
    )
    found = suggest({"district": {"pleiku": concept}}, fields=[("text", 1, "Họp ở Pleiku.")])
    assert found == []
    found = suggest({"district": {"pleiku": concept}}, fields=[("title", None, "Pleiku")])
    assert [(s.term, s.score) for s in found] == [("pleiku", 0.5)]


# -- GPS ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latitude", "longitude", "district"),
    [
        (14.35, 108.00, "kon-tum-city"),
        (15.08, 107.73, "dak-glei"),
        (14.70, 107.65, "ngoc-hoi"),
        (14.65, 107.83, "dak-to"),
        (14.42, 107.80, "sa-thay"),
        (14.52, 107.93, "dak-ha"),
        (14.55, 108.20, "kon-ray"),
        (14.72, 108.30, "kon-plong"),
        (14.90, 107.95, "tu-mo-rong"),
        (14.10, 107.55, "ia-h-drai"),
    ],
)
def test_a_gps_position_suggests_the_district_it_lies_in(
    vocabularies, latitude, longitude, district
):
    found = suggest(vocabularies, fields=[], latitude=latitude, longitude=longitude)
    assert found == [
        Suggestion(
            "district", district, 1.0, {"rule": "gps", "latitude": latitude, "longitude": longitude}
        )
    ]


def test_a_gps_position_outside_the_province_suggests_nothing(vocabularies):
    assert suggest(vocabularies, fields=[], latitude=13.98, longitude=108.0) == []  # Pleiku
    assert suggest(vocabularies, fields=[], latitude=14.35, longitude=None) == []


def test_gps_and_phrase_evidence_for_one_district_make_one_tag(vocabularies):
    fields = [("description", None, "Lễ hội ở huyện Đắk Glei.")]
    [tag] = suggest(vocabularies, fields=fields, latitude=15.1, longitude=107.75)
    rules = {tag.evidence["rule"], *(e["rule"] for e in tag.evidence["also"])}
    assert (tag.term, tag.score, rules) == ("dak-glei", 1.0, {"phrase", "gps"})


# -- date -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "term"),
    [
        ("1975", "1970s"),
        ("1975-03-16", "1970s"),
        ("199X", "1990s"),
        ("2023-05", "2020s"),
        ("1975/1985", None),
        ("1975/..", None),
        ("19XX", None),
    ],
)
def test_a_date_within_one_decade_gives_the_decade(vocabularies, date, term):
    start, end = year_range(date)
    assert decade(start, end) == term
    found = suggest(vocabularies, fields=[], year_start=start, year_end=end)
    if term is None:
        assert found == []
    else:
        [tag] = found
        assert (tag.vocabulary, tag.term, tag.evidence["rule"]) == ("decade", term, "date")


def test_the_date_evidence_gives_the_years():
    [one] = suggest({}, fields=[], year_start=1975, year_end=1975)
    [span] = suggest({}, fields=[], year_start=1990, year_end=1999)
    assert one.evidence == {"rule": "date", "date": "1975"}
    assert span.evidence == {"rule": "date", "date": "1990/1999"}


# -- the labelled set -----------------------------------------------------------------------------


def _documents() -> list[dict]:
    return yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["documents"]


def _fields(document: dict) -> list[tuple[str, int | None, str]]:
    names = [name for name in ("title", "description", "subject") if name in document]
    pages = enumerate(document.get("pages", []), 1)
    return [(name, None, document[name]) for name in names] + [("text", n, t) for n, t in pages]


def _expected(document: dict) -> set[tuple[str, str]]:
    return {(v, term) for v, ts in (document.get("expected") or {}).items() for term in ts}


def _predicted(vocabularies, document: dict) -> set[tuple[str, str]]:
    start, end = year_range(document["date"]) if "date" in document else (None, None)
    found = suggest(
        vocabularies,
        fields=_fields(document),
        latitude=document.get("latitude"),
        longitude=document.get("longitude"),
        year_start=start,
        year_end=end,
    )
    return {(s.vocabulary, s.term) for s in found}


def test_the_labelled_set_is_large_varied_and_labelled_with_real_terms(vocabularies):
    documents = _documents()
    assert len(documents) >= 40
    assert len({d["id"] for d in documents}) == len(documents)
    for document in documents:
        words = sum(len(text.split()) for _, _, text in _fields(document))
        assert 40 <= words <= 150, (document["id"], words)
        for vocabulary, term in _expected(document):
            assert vocabulary == "decade" or term in vocabularies[vocabulary], (
                document["id"],
                term,
            )
    assert sum("latitude" in d for d in documents) >= 5
    assert sum("date" in d for d in documents) >= 30
    about_nothing = [d for d in documents if all(v == "decade" for v, _ in _expected(d))]
    assert len(about_nothing) >= 4


def _measure(pairs: list[tuple[set, set]]) -> tuple[float, float, int, int, int]:
    right = sum(len(expected & predicted) for expected, predicted in pairs)
    wrong = sum(len(predicted - expected) for expected, predicted in pairs)
    missed = sum(len(expected - predicted) for expected, predicted in pairs)
    return right / (right + wrong), right / (right + missed), right, wrong, missed


def test_precision_and_recall_on_the_labelled_set(vocabularies):
    documents = _documents()
    pairs = [(_expected(d), _predicted(vocabularies, d)) for d in documents]
    precision, recall, right, wrong, missed = _measure(pairs)
    print(
        f"\ntagging, labelled set of {len(documents)} documents: precision {precision:.3f}, "
        f"recall {recall:.3f} ({right} right, {wrong} wrong, {missed} missed)"
    )
    # The date rule is nearly always right; without its tags the phrase and GPS rules show.
    no_decade = [
        ({t for t in e if t[0] != "decade"}, {t for t in p if t[0] != "decade"}) for e, p in pairs
    ]
    print("without the decade tags: precision {:.3f}, recall {:.3f}".format(*_measure(no_decade)))
    for document, (expected, predicted) in zip(documents, pairs, strict=True):
        if predicted != expected:
            wrong_tags, missed_tags = sorted(predicted - expected), sorted(expected - predicted)
            print(f"  {document['id']}: wrong {wrong_tags}, missed {missed_tags}")
    assert precision >= 0.9
    assert recall >= 0.85
