"""The plan's report: every figure of every section equals the count made apart from the fixture
archive's own lists (tests/report_archive.py), per quarter and per year; the items each figure
links to are those it counts; the plan file's mistakes are named; `archive report` writes the
table, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import unicodedata
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from PIL import Image

from archive import report
from archive.cli import cli
from archive.errors import ConfigError
from archive.report import plan
from archive.report.periods import split
from tests import report_archive
from tests.report_archive import COLLECTIONS, EXHIBITIONS, ITEMS, USE

START, END = date(2023, 1, 1), date(2024, 12, 31)
PLAN = plan.load()
CLASSES = {c.id: c.codes for c in PLAN.classes}


@pytest.fixture
def built(archive):
    report_archive.build(archive)
    return archive


def _end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time())


def _classes(codes) -> set[str]:
    return {name for name, known in CLASSES.items() for code in codes if code in known}


def _online_at(spec, moment: datetime) -> bool:
    if not spec.pages:
        return False
    log = spec.log or ([(spec.at, "create")] if spec.shown else [])
    before = [activity for at, activity in log if at < moment]
    return bool(before) and before[-1] == "create"


def _in_counted(spec, slug: str) -> bool:
    return spec.collection is not None and (spec.collection + "/").startswith(slug + "/")


def expected_items(fid: str, moment: datetime, since: datetime | None = None) -> set[int]:
    """The numbers of the fixture's items that figure `fid` counts, made apart from the report."""
    held = [s for s in ITEMS if s.at < moment and (since is None or s.at >= since)]
    kind, _, name = fid.partition(":")
    if kind in ("catalogued", "accessioned"):
        return {s.n for s in held}
    if kind in ("collection.items", "collection.pages"):
        return {s.n for s in held if _in_counted(s, name)}
    if kind == "digitised.items":
        return {s.n for s in held if _in_counted(s, "kon-tum") or _in_counted(s, "so-tt")}
    if kind == "online":
        return {s.n for s in ITEMS if _online_at(s, moment)}
    if kind.startswith("language."):
        return _language_items(kind.split(".")[1], name, held)
    if kind == "theme":
        return _theme_items(name, moment)
    raise AssertionError(f"no count made apart for {fid}")


def _language_items(basis: str, name: str, held) -> set[int]:
    found = set()
    for s in held:
        material, described = _classes(s.languages), _classes(s.described)
        either = material | described
        chosen = {
            "material": material,
            "description": described,
            "either": either,
            "only": either if len(either) == 1 else set(),
            "target": {"t"} if either & {"minority", "foreign"} else set(),
            "unknown": set() if s.languages else {""},
        }[basis]
        if (basis in ("target", "unknown") and chosen) or name in chosen:
            found.add(s.n)
    return found


def _theme_items(name: str, moment: datetime) -> set[int]:
    vocabulary, term, part = name.split(":")
    found = set()
    for s in ITEMS:
        for tag_vocabulary, tag_term, source, review, removed, at in s.tags:
            reviewed = source == "person" or review == "accepted"
            state = ("public" if s.shown else "restricted") + (
                ".reviewed" if reviewed else ".automatic"
            )
            same = (tag_vocabulary, tag_term, state) == (vocabulary, term, part)
            if same and not removed and max(s.at, at) < moment:
                found.add(s.n)
    return found


def _pages(slug: str, moment: datetime) -> int:
    return sum(s.pages for s in ITEMS if s.at < moment and _in_counted(s, slug))


def _extent(slug: str) -> int:
    return next(units for s, _, _, units, _ in COLLECTIONS if s == slug)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def expected_value(fid: str, start: date, end: date) -> float | None:
    """The value of `fid` from `start` to `end`, made apart."""
    moment, since = _end(end), datetime.combine(start, time())
    kind, _, name = fid.partition(":")
    if kind == "accessioned":
        return len(expected_items(fid, moment, since))
    if kind == "collection.pages":
        return _pages(name, moment)
    if kind == "collection.units":
        return _extent(name)
    if kind == "collection.metres" or kind == "digitised.metres":
        return 2.5
    if kind == "digitised.units":
        return 15
    if kind == "collection.share":
        return _share(len(expected_items(f"collection.items:{name}", moment)), _extent(name))
    if kind.endswith(".share"):
        part = {"digitised": "digitised.items", "online": "online", "language": "language.target"}
        whole = 15 if kind == "digitised.share" else len(expected_items("catalogued", moment))
        return _share(len(expected_items(part[kind.split(".")[0]], moment)), whole)
    if kind.startswith(("exhibitions.", "use")):
        return _activity(fid, start, end)
    return len(expected_items(fid, moment))


def _activity(fid: str, start: date, end: date) -> int:
    if fid == "exhibitions.held":
        return sum(1 for e in EXHIBITIONS if e[3] <= end and e[4] >= start)
    if fid == "exhibitions.visitors":
        return sum(e[7] or 0 for e in EXHIBITIONS if start <= e[4] <= end)
    route = "exhibition" if fid == "exhibitions.views" else fid.partition(":")[2]
    return sum(n for day, r, _key, n in USE if r == route and start <= day <= end)


def _numbers(built, ids: list[int]) -> set[int]:
    from archive.models import Item

    with built.session() as session:
        found = session.query(Item.accession_id).filter(Item.id.in_(ids)).all()
    return {int(accession[-6:]) for (accession,) in found}


@pytest.mark.parametrize("by", ["quarter", "year"])
def test_every_figure_equals_the_count_made_apart(built, by):
    with built.session() as session:
        made = report.build(session, PLAN, built.vocabularies, START, END, by)
    periods = split(START, END, by)
    assert [p.label for p in made.periods] == [p.label for p in periods]
    checked = 0
    for section in made.sections:
        for figure in section.figures:
            wanted = [expected_value(figure.id, p.start, p.end) for p in periods]
            assert figure.values == wanted, (figure.id, figure.values, wanted)
            assert figure.total == expected_value(figure.id, START, END), figure.id
            assert figure.definition["vi"] and figure.definition["en"], figure.id
            checked += 1
    assert [s.id for s in made.sections] == list(PLAN.sections)
    assert checked > 60


def test_each_figure_links_to_the_items_it_counts(built):
    with built.session() as session:
        made = report.build(session, PLAN, built.vocabularies, START, END, "quarter")
    checked = 0
    for section in made.sections:
        for figure in section.figures:
            if figure.key is None or figure.unit == "percent":
                continue
            for period in made.periods:
                since = None if figure.stock else datetime.combine(period.start, time())
                wanted = expected_items(figure.key, _end(period.end), since)
                if figure.unit == "pages":
                    wanted = {n for n in wanted if any(s.n == n and s.pages for s in ITEMS)}
                got = _numbers(built, made.members(figure, period))
                assert got == wanted, (figure.id, period.label, got, wanted)
                checked += 1
    assert checked > 300


def test_the_language_share_is_held_against_the_plans_band(built):
    with built.session() as session:
        made = report.build(session, PLAN, built.vocabularies, START, END, "year")
    share = made.figure("language.share")
    assert share.band == (15.0, 20.0)
    # 2023: items 1-6; products in minority or foreign languages: 1 (en), 2, 3, 5, 6
    assert share.values[0] == round(100 * 5 / 6, 2)
    assert share.status(share.values[0]) == "over"
    assert share.status(17.0) == "within" and share.status(10.0) == "under"


def test_public_only_counts_no_restricted_item(built):
    with built.session() as session:
        made = report.build(session, PLAN, built.vocabularies, START, END, "year", True)
    shown = {s.n for s in ITEMS if s.shown}
    assert made.figure("catalogued").total == len(shown)
    assert not [f.id for s in made.sections for f in s.figures if "restricted" in f.id]
    exhibitions = next(s for s in made.sections if s.id == "exhibitions")
    assert [row["slug"] for row in exhibitions.rows] == ["quyen-tre-em"]  # public, published
    for section in made.sections:
        for figure in section.figures:
            if figure.key and figure.unit != "percent":
                whole = made.whole
                assert _numbers(built, made.members(figure, whole)) <= shown, figure.id


def test_the_exhibitions_held_are_listed_with_partner_venue_items_pages_and_visitors(built):
    with built.session() as session:
        made = report.build(session, PLAN, built.vocabularies, START, END, "year")
    rows = next(s for s in made.sections if s.id == "exhibitions").rows
    assert [row["slug"] for row in rows] == ["quyen-tre-em", "lang-ba-na", "noi-bo"]
    first = rows[0]
    assert first["partner"] == {"vi": "Bộ Thông tin và Truyền thông"}
    assert first["venue"] == {"vi": "Bảo tàng tỉnh"}
    assert (first["start"], first["end"]) == ("2023-05-01", "2023-05-20")
    assert (first["items"], first["pages"], first["visitors"], first["views"]) == (2, 3, 1200, 40)
    assert (rows[1]["items"], rows[1]["pages"]) == (2, 4)  # item 2's 3 pages, item 5's 1


def test_the_use_is_given_by_month(built):
    with built.session() as session:
        made = report.build(session, PLAN, built.vocabularies, START, END, "year")
    rows = next(s for s in made.sections if s.id == "use").rows
    assert len(rows) == 24
    assert rows[0] == {"month": "2023-01", "item": 3, "search": 5, "manifest": 0}
    assert rows[-1] == {"month": "2024-12", "item": 0, "search": 1, "manifest": 0}


# --- the plan file -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("id: kh-1297", "id: KH 1297"), "id: 'KH 1297' is not an id"),
        (lambda t: t.replace("sections: [", "sections: [nowhere, "), "no section 'nowhere'"),
        (lambda t: t.replace("band: [15, 20]", "band: [20, 15]"), "languages.target.band"),
        (lambda t: t.replace("codes: [bdq,", "codes: [vi, bdq,"), "vi is in the class vietnamese"),
        (
            lambda t: t.replace("classes: [minority, foreign]", "classes: [minority, klingon]"),
            "languages.target.classes",
        ),
        (
            lambda t: t.replace("period: {from: 2023-01-01", "period: {from: soon"),
            "period.from: 'soon' is not a date",
        ),
        (lambda t: t.replace("targets:", "goals:"), "unknown key 'goals'"),
        (lambda t: t + "  online: [100\n", "not YAML"),
        (lambda t: t.replace("      codes: [vi, vie]\n", ""), "codes is missing"),
    ],
)
def test_a_malformed_plan_is_refused_with_its_key_and_reason(tmp_path, change, message):
    path = tmp_path / "plan.yaml"
    path.write_text(change(plan.SHIPPED.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        plan.load(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_the_shipped_plan_names_the_provinces_languages():
    assert PLAN.language_class("bdq") == PLAN.language_class("sed") == "minority"
    assert PLAN.language_class("vie") == "vietnamese" and PLAN.language_class("en-GB") == "foreign"
    assert PLAN.language_class("xyz") is None
    assert PLAN.start == date(2023, 1, 1) and PLAN.end == date(2028, 12, 31)


# --- archive report ------------------------------------------------------------------------------


def test_archive_report_writes_json_csv_and_a_table(built, runner, home, tmp_path):
    base = ["--home", str(home), "report", "--from", "2023-01-01", "--to", "2024-12-31"]
    answer = runner.invoke(cli, [*base, "--by", "year", "--format", "json"])
    assert answer.exit_code == 0, answer.output
    document = json.loads(answer.output)
    assert document["format"] == 1 and document["plan"]["id"] == "kh-1297"
    assert [p["label"] for p in document["periods"]] == ["2023", "2024"]
    figures = {f["id"]: f for s in document["sections"] for f in s["figures"]}
    assert figures["catalogued"]["values"] == [6, 10]
    assert figures["language.share"]["band"] == [15.0, 20.0]
    assert figures["language.share"]["status"] == ["over", "over"]
    assert set(figures["online"]) == {
        "id",
        "label",
        "definition",
        "unit",
        "counted",
        "band",
        "values",
        "status",
        "total",
        "total_status",
    }
    out = tmp_path / "report.csv"
    answer = runner.invoke(cli, [*base, "--format", "csv", "--lang", "en", "--out", str(out)])
    assert answer.exit_code == 0, answer.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    catalogued = [r for r in rows if r["figure"] == "catalogued"]
    assert [r["value"] for r in catalogued] == ["2", "3", "5", "6", "8", "9", "10", "10", "10"]
    assert catalogued[0]["label"] == "Items catalogued"
    table = runner.invoke(cli, [*base, "--by", "year"])
    assert "Tài liệu đã biên mục" in table.output and "1. Số hóa" in table.output


def test_archive_report_names_a_bad_date_or_plan(built, runner, home, tmp_path):
    answer = runner.invoke(cli, ["--home", str(home), "report", "--from", "2024-13-01"])
    assert answer.exit_code == 2 and "--from '2024-13-01' is not a date" in answer.output
    answer = runner.invoke(
        cli, ["--home", str(home), "report", "--from", "2025-01-01", "--to", "2024-01-01"]
    )
    assert answer.exit_code == 2 and "ends (2024-01-01) before it starts" in answer.output
    bad = tmp_path / "bad.yaml"
    classes = "[{id: vi, label: {vi: Việt}, codes: [vi]}]"
    bad.write_text(f"id: x\ntitle: {{en: X}}\nlanguages: {{classes: {classes}}}\n", "utf-8")
    answer = runner.invoke(cli, ["--home", str(home), "report", "--plan", str(bad)])
    assert answer.exit_code == 2 and f"{bad}: title: needs its Vietnamese text" in answer.output
    missing = Path(tmp_path / "none.yaml")
    answer = runner.invoke(cli, ["--home", str(home), "report", "--plan", str(missing)])
    assert answer.exit_code == 2 and "cannot be read" in answer.output


# --- the PDF ---------------------------------------------------------------------------------


def _pdf_text(path: Path, *options: str) -> str:
    done = subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, check=True)
    return unicodedata.normalize("NFC", done.stdout.decode("utf-8"))


@pytest.mark.slow
def test_the_pdf_is_an_administrative_report_whose_vietnamese_comes_out_whole(
    built, runner, home, tmp_path
):
    out = tmp_path / "bao-cao.pdf"
    base = ["--home", str(home), "report", "--from", "2023-01-01", "--to", "2024-12-31"]
    answer = runner.invoke(cli, [*base, "--by", "year", "--format", "pdf", "--out", str(out)])
    assert answer.exit_code == 0, answer.output
    text = _pdf_text(out)
    for words in (
        "ỦY BAN NHÂN DÂN TỈNH KON TUM",
        "Báo cáo tiến độ thực hiện kế hoạch",
        "Kỳ báo cáo: 2023-01-01 – 2024-12-31 (theo năm)",
        "Tài liệu đã biên mục",
        "Tiếng dân tộc thiểu số: theo ngôn ngữ tài liệu",
        "ảnh tiếng Việt được mô tả bằng tiếng Ba Na",
        "Bộ Thông tin và Truyền thông",
        "Sản phẩm bằng tiếng dân tộc thiểu số, tiếng nước ngoài: tỷ lệ",
    ):
        assert words in " ".join(text.split()), words
    assert "\ufffd" not in text
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True)
    rows = [line.split() for line in fonts.stdout.splitlines()[2:]]
    assert rows and all("DejaVu" in row[0] and row[-5] == "yes" for row in rows), fonts.stdout
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    with Image.open(pages[0]) as first:
        assert first.size[0] > first.size[1]  # A4 landscape
        assert first.convert("L").getextrema()[0] < 100  # something is printed on it
    english = tmp_path / "report.pdf"
    answer = runner.invoke(cli, [*base, "--format", "pdf", "--lang", "en", "--out", str(english)])
    assert answer.exit_code == 0, answer.output
    assert "Progress report on the plan" in _pdf_text(english)


def test_a_pdf_needs_a_file_to_go_to(built, runner, home):
    answer = runner.invoke(cli, ["--home", str(home), "report", "--format", "pdf"])
    assert answer.exit_code == 2 and "give --out FILE.pdf" in answer.output
