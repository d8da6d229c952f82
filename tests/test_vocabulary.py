from itertools import combinations

import pytest

from archive.concepts import Concept
from archive.errors import ConfigError
from archive.vocabulary import SHIPPED, load

CONVENTIONS = ["ICCPR", "ICESCR", "CEDAW", "ICERD", "CRC", "CRPD", "CAT"]
THEMES = [
    "poverty-reduction",
    "ethnic-minorities",
    "mountain-areas",
    "vulnerable-groups",
    "education",
    "health",
    "gender-equality",
    "children",
    "disabilities",
    "religion-belief",
    "information-press",
    "foreign-affairs",
]
# id -> the approximate centre of the city or district (latitude, longitude)
DISTRICTS = {
    "kon-tum-city": (14.35, 108.00),
    "dak-glei": (15.08, 107.73),
    "ngoc-hoi": (14.70, 107.65),
    "dak-to": (14.65, 107.83),
    "sa-thay": (14.42, 107.80),
    "dak-ha": (14.52, 107.93),
    "kon-ray": (14.55, 108.20),
    "kon-plong": (14.72, 108.30),
    "tu-mo-rong": (14.90, 107.95),
    "ia-h-drai": (14.10, 107.55),
}
ETHNIC_GROUPS = [
    "ba-na",
    "xo-dang",
    "gia-rai",
    "gie-trieng",
    "brau",
    "ro-mam",
    "kinh",
    "tay",
    "thai",
    "muong",
    "nung",
]


@pytest.fixture(scope="module")
def shipped():
    return load()


def test_the_shipped_vocabularies_load(shipped):
    assert set(shipped) == {"convention", "theme", "district", "ethnic-group"}
    for name, concepts in shipped.items():
        for cid, concept in concepts.items():
            assert isinstance(concept, Concept)
            assert (concept.vocabulary, concept.id) == (name, cid)
            assert concept.phrases, f"{name}/{cid} has no phrases, so it is never suggested"


@pytest.mark.parametrize(
    ("vocabulary", "ids"),
    [
        ("convention", CONVENTIONS),
        ("theme", THEMES),
        ("district", list(DISTRICTS)),
        ("ethnic-group", ETHNIC_GROUPS),
    ],
)
def test_every_required_concept_is_shipped_with_vietnamese_and_english_labels(
    shipped, vocabulary, ids
):
    for cid in ids:
        concept = shipped[vocabulary][cid]
        assert concept.pref["vi"].strip() and concept.pref["en"].strip(), cid


def test_the_conventions_carry_their_official_vietnamese_names(shipped):
    conventions = shipped["convention"]
    texts = {cid: {p.text for p in c.phrases} for cid, c in conventions.items()}
    assert "Công ước quốc tế về các quyền dân sự và chính trị" in texts["ICCPR"]
    assert "Công ước về quyền trẻ em" in texts["CRC"]
    assert "Công ước chống tra tấn" in texts["CAT"]
    assert "Công ước về xóa bỏ mọi hình thức phân biệt đối xử với phụ nữ" in texts["CEDAW"]
    for cid, phrase in [
        ("CRC", "quyền trẻ em"),
        ("CRPD", "người khuyết tật"),
        ("CAT", "tra tấn"),
        ("ICERD", "phân biệt chủng tộc"),
    ]:
        assert phrase in texts[cid]


def test_the_xo_dang_sub_groups_are_labels_of_the_xo_dang(shipped):
    xo_dang = shipped["ethnic-group"]["xo-dang"]
    for sub_group in ["Xơ Teng", "Tơ Đrá", "Mơ Nâm", "Ca Dong", "Ha Lăng"]:
        assert sub_group in xo_dang.alt["vi"]
        assert sub_group in {p.text for p in xo_dang.phrases}


def test_a_broader_concept_is_a_concept_of_the_same_vocabulary(shipped):
    themes = shipped["theme"]
    assert themes["children"].broader == "vulnerable-groups"
    for concepts in shipped.values():
        for concept in concepts.values():
            assert concept.broader is None or concept.broader in concepts


@pytest.mark.parametrize(("district", "centre"), list(DISTRICTS.items()))
def test_a_district_box_holds_its_centre_and_no_other_box_does(shipped, district, centre):
    latitude, longitude = centre
    holding = [
        cid
        for cid, c in shipped["district"].items()
        if c.bbox[0] <= latitude < c.bbox[2] and c.bbox[1] <= longitude < c.bbox[3]
    ]
    assert holding == [district]


def test_the_district_boxes_lie_in_the_province_and_do_not_overlap(shipped):
    boxes = {cid: c.bbox for cid, c in shipped["district"].items()}
    for south, west, north, east in boxes.values():
        assert 13.9 <= south < north <= 15.45 and 107.3 <= west < east <= 108.6
    for (a, (s1, w1, n1, e1)), (b, (s2, w2, n2, e2)) in combinations(boxes.items(), 2):
        overlap = max(0, min(n1, n2) - max(s1, s2)) * max(0, min(e1, e2) - max(w1, w2))
        assert overlap == 0, f"{a} and {b} overlap"


def test_the_district_file_says_its_boxes_are_approximate():
    assert "approximate" in (SHIPPED / "district.yaml").read_text(encoding="utf-8").lower()


def test_another_province_loads_its_own_folder(tmp_path):
    (tmp_path / "district.yaml").write_text(
        "label: {vi: Huyện, en: Districts}\n"
        "concepts:\n"
        "  - id: pleiku\n"
        "    pref: {vi: Thành phố Pleiku, en: Pleiku City}\n"
        "    alt: {vi: [TP Pleiku]}\n"
        "    phrases:\n"
        "      vi: [thành phố Pleiku, {text: Pleiku, weight: 0.5}]\n"
        "    exclude: [tỉnh Gia Lai Pleiku]\n"
        "    bbox: [13.9, 107.9, 14.05, 108.1]\n"
        "  - id: NO\n"  # would be False in YAML 1.1 if read as a value
        "    pref: {vi: Không}\n"
        "    broader: pleiku\n",
        encoding="utf-8",
    )
    vocabularies = load(tmp_path)
    pleiku = vocabularies["district"]["pleiku"]
    assert pleiku.bbox == (13.9, 107.9, 14.05, 108.1)
    assert [(p.text, p.weight, p.lang) for p in pleiku.phrases] == [
        ("thành phố Pleiku", 1.0, "vi"),
        ("Pleiku", 0.5, "vi"),
    ]
    assert pleiku.alt == {"vi": ["TP Pleiku"]}
    assert vocabularies["district"]["NO"].broader == "pleiku"


CONCEPT = "concepts:\n  - id: a\n    pref: {vi: A, en: A}\n"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("concepts:\n  - id: a\n    pref: {vi: [A\n", 4, "not valid YAML"),
        ("concepts:\n  - pref: {vi: A}\n", 2, "has no id"),
        ("concepts:\n  - id: a\n    pref: {en: A}\n", 3, "no Vietnamese pref label"),
        ("concepts:\n  - id: a\n", 2, "has no pref label"),
        (CONCEPT + "  - id: a\n    pref: {vi: B}\n", 4, "used twice (first on line 2)"),
        (CONCEPT + "    phrasess:\n      vi: [A]\n", 4, "unknown key 'phrasess'"),
        (CONCEPT + "    broader: b\n", 4, "broader 'b' is no concept"),
        (CONCEPT + "    broader: a\n", 4, "goes round in a circle"),
        (CONCEPT + "    bbox: [14.0, 107.0, 15.0]\n", 4, "bbox must be [south, west, north, east]"),
        (CONCEPT + "    bbox: [15.0, 107.0, 14.0, 108.0]\n", 4, "south < north"),
        (CONCEPT + "    bbox: [14.0, east, 15.0, 108.0]\n", 4, "bbox must be"),
        (CONCEPT + "    id: b\n", 4, "'id' is given twice"),
        (CONCEPT + "    phrases: {vi: [{text: A, weight: 2}]}\n", 4, "weight 2.0 must be"),
        (CONCEPT + "    phrases: {vi: [{txt: A}]}\n", 4, "unknown key 'txt'"),
        (CONCEPT + "    phrases: {vi: ['--']}\n", 4, "has no letters or digits"),
        (CONCEPT + "    phrases: {vietnamese: [A]}\n", 4, "not a language code"),
        (CONCEPT + "    phrases: {vi: [tra tấn]}\n    exclude: [kiểm tra]\n", 5, "never applies"),
        ("concepts:\n  - id: a b\n    pref: {vi: A}\n", 2, "must be ASCII letters"),
        ("concept:\n  - id: a\n", 1, "unknown key 'concept'"),
        ("concepts: {id: a}\n", 1, "must be a list"),
        ("", 1, "the file is empty"),
    ],
)
def test_a_malformed_vocabulary_is_refused_with_file_line_and_reason(tmp_path, text, line, reason):
    path = tmp_path / "theme.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load(tmp_path)
    message = str(error.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert reason in message


@pytest.mark.parametrize(
    ("name", "reason"),
    [("decade.yaml", "the date rule's vocabulary"), ("Ethnic Group.yaml", "lowercase")],
)
def test_a_vocabulary_file_with_a_bad_name_is_refused(tmp_path, name, reason):
    (tmp_path / name).write_text(CONCEPT, encoding="utf-8")
    with pytest.raises(ConfigError, match=reason):
        load(tmp_path)


def test_a_missing_or_empty_folder_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="no such folder"):
        load(tmp_path / "missing")
    with pytest.raises(ConfigError, match="no vocabulary files"):
        load(tmp_path)
