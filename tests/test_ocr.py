"""Reading one page (ingest.ocr, ingest.pdf) with the real Tesseract: accuracy on Vietnamese and
English pages, turned pages, PDF text layers, limits and damaged files.

Accuracy is the character error rate (CER): edit distance over the length of the reference, both
NFC with whitespace collapsed. Pages are A4 scans at 300 dpi made by `demo.samples.make_page`.
"""

from __future__ import annotations

import ctypes
import io
import random
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytesseract
import pytest
from PIL import Image

from demo.samples import VIETNAMESE_TEXTS, font_path, make_multipage_tiff, make_page, make_pdf
from ingest import pdf
from ingest.identify import sniff
from ingest.language import detect_language
from ingest.ocr import read_page, tesseract_version
from ingest.readings import OcrError, RawReading
from tests.conftest import bomb_png, text_pdf

DATA = Path(__file__).parent / "data"
DOCUMENTS = DATA / "documents"
HOCR_WORD = ".//{http://www.w3.org/1999/xhtml}span[@class='ocrx_word']"


# --------------------------------------------------------------------------------------------
# Measuring


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions) by Myers' and Hyyrö's bit-parallel
    algorithm: one Python integer holds a column of the table, so a page of 4,000 characters
    takes milliseconds, not the minute of the plain table."""
    if not a:
        return len(b)
    mask, top = (1 << len(a)) - 1, 1 << (len(a) - 1)
    positions: dict[str, int] = {}
    for i, char in enumerate(a):
        positions[char] = positions.get(char, 0) | (1 << i)
    plus, minus, distance = mask, 0, len(a)
    for char in b:
        eq = positions.get(char, 0)
        xv = eq | minus
        xh = (((eq & plus) + plus) ^ plus) | eq
        h_plus = (minus | ~(xh | plus)) & mask
        h_minus = plus & xh
        if h_plus & top:
            distance += 1
        elif h_minus & top:
            distance -= 1
        h_plus = ((h_plus << 1) | 1) & mask
        h_minus = (h_minus << 1) & mask
        plus = (h_minus | ~(xv | h_plus)) & mask
        minus = h_plus & xv
    return distance


def normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(read: str, truth: str) -> float:
    truth = normalised(truth)
    return levenshtein(truth, normalised(read)) / len(truth)


def test_the_edit_distance_agrees_with_the_textbook_table():
    def table(a: str, b: str) -> int:
        row = list(range(len(b) + 1))
        for i, x in enumerate(a, 1):
            previous, row[0] = row[0], i
            for j, y in enumerate(b, 1):
                previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
        return row[-1]

    rng = random.Random(7)
    for _ in range(500):
        a, b = ("".join(rng.choices("aăâđ ơ", k=rng.randint(0, 15))) for _ in range(2))
        assert levenshtein(a, b) == table(a, b), (a, b)
    assert levenshtein("quyền con người", "quyen con nguoi") == 3


@contextmanager
def tesseract_runs() -> Iterator[list[dict]]:
    """Every Tesseract run meanwhile: its input file, outputs, languages and options."""
    runs: list[dict] = []
    real = pytesseract.pytesseract.run_tesseract

    def run(input_filename, output_filename_base, extension, lang, config="", nice=0, timeout=0):
        runs.append({"input": input_filename, "outputs": extension, "lang": lang, "config": config})
        return real(input_filename, output_filename_base, extension, lang, config, nice, timeout)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pytesseract.pytesseract, "run_tesseract", run)
        yield runs


def no_tesseract(*args, **kwargs):
    raise AssertionError("Tesseract was run")


def no_rendering(*args, **kwargs):
    raise AssertionError("the page was rendered")


def assert_words_sound(page: RawReading) -> None:
    """Every word has text, a box inside the page and a confidence; the page's confidence is
    their mean."""
    assert page.words
    for word in page.words:
        assert word.text.strip() and unicodedata.is_normalized("NFC", word.text)
        assert word.x >= 0 and word.x + word.w <= page.width, word
        assert word.y >= 0 and word.y + word.h <= page.height, word
        assert word.w > 0 and word.h > 0 and 0 <= word.conf <= 100, word
    mean = sum(w.conf for w in page.words) / len(page.words)
    assert page.confidence == pytest.approx(mean)


def document(index: int) -> str:
    """A Vietnamese document as a page shows it: its title in capitals, then its text."""
    entry = VIETNAMESE_TEXTS[index]
    return f"{entry['title_vi'].upper()}\n\n{entry['text']}"


def save_page(path: Path, image: Image.Image) -> Path:
    image.save(path, dpi=(300, 300))
    return path


# --------------------------------------------------------------------------------------------
# Vietnamese pages: several fonts and sizes, one page in two columns

VIETNAMESE_PAGES = {  # name: (font, size in points, columns, document)
    "serif-12pt": ("DejaVuSerif", 12, 1, 0),
    "sans-11pt": ("DejaVuSans", 11, 1, 1),
    "sans-condensed-14pt": ("DejaVuSansCondensed", 14, 1, 2),
    "serif-condensed-10pt": ("DejaVuSerifCondensed", 10, 1, 3),
    "sans-9pt": ("DejaVuSans", 9, 1, 4),
    "serif-11pt-two-columns": ("DejaVuSerif", 11, 2, 5),
}


class Readings:
    """Each Vietnamese page made once and read once per language, with Tesseract's runs."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.done: dict[tuple[str, str], tuple[RawReading, list[dict]]] = {}

    def page(self, name: str) -> Path:
        path = self.folder / f"{name}.png"
        if not path.exists():
            font, size, columns, index = VIETNAMESE_PAGES[name]
            image = make_page(document(index), font=font, size_pt=size, columns=columns, seed=index)
            save_page(path, image)
        return path

    def read(self, name: str, languages: str = "vie") -> tuple[RawReading, list[dict]]:
        if (name, languages) not in self.done:
            with tesseract_runs() as runs:
                page = read_page(self.page(name), 0, "image/png", languages=languages)
            self.done[name, languages] = page, runs
        return self.done[name, languages]


@pytest.fixture(scope="module")
def readings(tmp_path_factory) -> Readings:
    return Readings(tmp_path_factory.mktemp("vietnamese"))


@pytest.mark.slow
@pytest.mark.parametrize("name", VIETNAMESE_PAGES)
def test_a_clean_vietnamese_page_is_read_with_under_2_percent_cer(readings, name):
    page, _ = readings.read(name)
    truth = document(VIETNAMESE_PAGES[name][3])
    assert cer(page.text, truth) <= 0.02, page.text
    assert (page.source, page.ocr_languages, page.language) == ("ocr", "vie", "vi")
    assert page.engine == f"tesseract {tesseract_version()}" and page.rotation == 0
    assert (page.width, page.height) == (2480, 3508)
    assert unicodedata.is_normalized("NFC", page.text)
    assert_words_sound(page)


@pytest.mark.slow
def test_two_columns_are_read_one_after_the_other(readings):
    page, _ = readings.read("serif-11pt-two-columns")
    # Read across the gutter, the lines of both columns would interleave: the whole text in
    # order within 2% says the left column was read, then the right one.
    assert cer(page.text, document(5)) <= 0.02
    in_right_column = [w.x + w.w / 2 > page.width / 2 for w in page.words]
    assert in_right_column == sorted(in_right_column) and any(in_right_column)


@pytest.mark.slow
def test_paragraphs_and_lines_are_kept(readings):
    page, _ = readings.read("serif-12pt")
    title, body = page.text.split("\n\n", 1)
    assert title.isupper() and "\n" in body


@pytest.mark.slow
def test_reading_vietnamese_as_english_is_far_worse(readings):
    vie, _ = readings.read("serif-12pt", "vie")
    eng, runs = readings.read("serif-12pt", "eng")
    truth = document(0)
    assert cer(eng.text, truth) > max(3 * cer(vie.text, truth), 0.05)
    assert eng.ocr_languages == "eng" and runs[0]["lang"] == "eng"


@pytest.mark.slow
def test_an_upright_page_is_ocred_once_with_its_languages_given(readings):
    for name in VIETNAMESE_PAGES:
        _, runs = readings.read(name)
        assert [(r["outputs"], r["lang"]) for r in runs] == [("txt hocr", "vie")], name


@pytest.mark.slow
def test_a_page_file_tesseract_reads_as_it_is_is_given_to_it_by_path(readings):
    _, runs = readings.read("sans-11pt")
    assert runs[0]["input"] == str(readings.page("sans-11pt"))


@pytest.mark.slow
def test_the_hocr_parses_and_holds_the_words(readings):
    page, _ = readings.read("sans-condensed-14pt")
    root = ET.fromstring(page.hocr)
    spans = root.findall(HOCR_WORD)
    assert len(spans) == len(page.words) and spans[0].text == page.words[0].text


@pytest.mark.slow
def test_word_boxes_lie_on_the_text(readings):
    page, _ = readings.read("serif-12pt")
    # Lines start at the 30 mm left margin (354 px at 300 dpi), paragraphs 10 mm further in.
    assert min(w.x for w in page.words) == pytest.approx(354, abs=20)
    first = page.words[0]
    assert 200 < first.y < 400 and first.h < 80  # the title, under the 20 mm top margin


@pytest.mark.slow
def test_a_timeout_stops_tesseract_and_says_so(readings):
    path = readings.page("sans-9pt")
    started = time.monotonic()
    with pytest.raises(OcrError, match=r"^timed out after 0\.3 s$"):
        read_page(path, 0, "image/png", languages="vie", timeout=0.3)
    assert time.monotonic() - started < 3


# --------------------------------------------------------------------------------------------
# English pages with ground truth

ENGLISH_PAGES = [
    ("phototest.tif", "phototest.txt", "image/tiff"),
    ("eurotext.tif", "eurotext.txt", "image/tiff"),
    ("linn.png", "linn.txt", "image/png"),  # two columns, a palette PNG
]


@pytest.mark.slow
@pytest.mark.parametrize(("scan", "truth", "media_type"), ENGLISH_PAGES)
def test_an_english_scan_is_read_with_under_5_percent_cer(scan, truth, media_type):
    with tesseract_runs() as runs:
        page = read_page(DOCUMENTS / scan, 0, media_type, languages="eng")
    assert [(r["input"], r["lang"]) for r in runs] == [(str(DOCUMENTS / scan), "eng")]
    assert cer(page.text, (DOCUMENTS / truth).read_text(encoding="utf-8")) <= 0.05, page.text
    assert page.rotation == 0 and page.ocr_languages == "eng"
    assert_words_sound(page)


# --------------------------------------------------------------------------------------------
# Turned pages

TURNED_TEXT = document(6)[:520].rsplit(" ", 1)[0]


@pytest.fixture(scope="module")
def upright_page() -> Image.Image:
    return make_page(TURNED_TEXT, font="DejaVuSerif", size_pt=12, seed=11)


@pytest.mark.slow
@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_turned_page_is_read_upright_and_its_rotation_recorded(upright_page, tmp_path, degrees):
    # Turned counter-clockwise when stored, the page reads upright turned `degrees` clockwise.
    path = save_page(tmp_path / "turned.png", upright_page.rotate(degrees, expand=True))
    with tesseract_runs() as runs:
        page = read_page(path, 0, "image/png", languages="vie")
    assert page.rotation == degrees
    # Turned a quarter clockwise, the page is read sideways but right, in vertical lines: its
    # turn is known without OSD. Otherwise the first reading is garbage and OSD tells the turn.
    expected = ["txt hocr", "txt hocr"] if degrees == 270 else ["txt hocr", "osd", "txt hocr"]
    assert [r["outputs"] for r in runs] == expected
    assert cer(page.text, TURNED_TEXT) <= 0.02, page.text
    assert (page.width, page.height) == upright_page.size
    assert_words_sound(page)
    assert page.words[0].y < 400  # the title, at the top of the upright page
    assert page.hocr and "bbox 0 0 2480 3508" in page.hocr  # the hOCR of the upright page


# --------------------------------------------------------------------------------------------
# Image files: modes, pages, limits


@pytest.fixture(scope="module")
def strip() -> Image.Image:
    """A few lines of a scanned page: quick to read."""
    text = "Quyền được học tập của trẻ em\n\n" + VIETNAMESE_TEXTS[6]["text"][:160]
    return make_page(text, font="DejaVuSans", size_pt=12, seed=5).crop((0, 0, 2480, 600))


def test_a_photo_turned_by_its_exif_orientation_is_read_upright_in_one_run(strip, tmp_path):
    # Orientation 6: a viewer turns the stored pixels 90° clockwise to show them.
    stored = strip.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "photo.jpg"
    stored.convert("RGB").save(path, exif=exif, quality=95, dpi=(300, 300))
    with tesseract_runs() as runs:
        page = read_page(path, 0, "image/jpeg", languages="vie")
    assert page.rotation == 0 and (page.width, page.height) == strip.size
    assert len(runs) == 1 and runs[0]["input"] != str(path)
    assert page.text.startswith("Quyền được học tập của trẻ em"), page.text


def _with_transparency(image: Image.Image) -> Image.Image:
    paletted = image.convert("P")
    paletted.info["transparency"] = 0
    return paletted


def _sixteen_bits(image: Image.Image) -> Image.Image:
    return image.convert("I").point(lambda v: v * 257).convert("I;16")


FORMS = {  # name: (make the image from a grey strip, file format, given to Tesseract as is)
    "bilevel-g4-tiff": (lambda s: s.point(lambda v: 255 if v > 150 else 0, "1"), "TIFF", True),
    "grey-png": (lambda s: s, "PNG", True),
    "rgb-jpeg": (lambda s: s.convert("RGB"), "JPEG", True),
    "palette-png": (lambda s: s.convert("P"), "PNG", True),
    "palette-png-with-transparency": (_with_transparency, "PNG", False),
    "rgba-png": (lambda s: s.convert("RGBA"), "PNG", False),
    "grey-alpha-png": (lambda s: s.convert("LA"), "PNG", False),
    "16-bit-png": (_sixteen_bits, "PNG", False),
    "cmyk-jpeg": (lambda s: s.convert("CMYK"), "JPEG", False),
}


@pytest.mark.parametrize("form", FORMS)
def test_every_image_form_is_read(strip, tmp_path, form):
    make, file_format, as_is = FORMS[form]
    path = tmp_path / f"page.{file_format.lower()}"
    options = {"compression": "group4"} if form == "bilevel-g4-tiff" else {}
    make(strip).save(path, file_format, dpi=(300, 300), **options)
    with tesseract_runs() as runs:
        page = read_page(path, 0, sniff(path.read_bytes()[:16]), languages="vie")
    assert page.text.startswith("Quyền được học tập của trẻ em"), page.text
    assert (runs[0]["input"] == str(path)) is as_is
    if not as_is:
        assert runs[0]["input"].endswith(".pnm") and "--dpi 300" in runs[0]["config"]


def test_a_page_of_a_multipage_tiff_is_read(strip, tmp_path):
    other = make_page("TRANG BÌA", font="DejaVuSans", size_pt=12).crop((0, 0, 2480, 600))
    # Copies: Pillow reuses the options an image was last saved with for appended pages.
    path = make_multipage_tiff(tmp_path / "two.tif", [other, strip.copy()])
    page = read_page(path, 1, "image/tiff", languages="vie")
    assert page.text.startswith("Quyền được học tập")
    with pytest.raises(OcrError, match=r"there is no page 3 \(the file has 2 pages\)"):
        read_page(path, 2, "image/tiff")


def test_an_image_larger_than_the_limit_is_refused_before_decoding(tmp_path, strip):
    path = save_page(tmp_path / "page.png", strip)
    with pytest.raises(OcrError, match=r"page 1 is 2480×600 pixels, more than the limit of 1,000"):
        read_page(path, 0, "image/png", max_pixels=1000)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(bomb_png())
    with pytest.raises(OcrError, match="page 1 is 20000×20000 pixels, more than the limit of 250,"):
        read_page(bomb, 0, "image/png")


def test_a_language_tesseract_lacks_is_a_reason_not_a_crash(strip, tmp_path):
    path = save_page(tmp_path / "page.png", strip)
    with pytest.raises(OcrError, match=r"Tesseract has no data for xyz \(installed: eng, vie"):
        read_page(path, 0, "image/png", languages="vie+xyz")
    with pytest.raises(OcrError, match="not a list of Tesseract languages"):
        read_page(path, 0, "image/png", languages="vie; rm -rf /")


def test_a_blank_page_has_no_words_and_no_language(tmp_path):
    path = save_page(tmp_path / "blank.png", Image.new("L", (1240, 1754), 240))
    page = read_page(path, 0, "image/png")
    assert (page.text, page.words, page.confidence, page.language) == ("", [], None, None)


# --------------------------------------------------------------------------------------------
# PDF


def vietnamese_text_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF typed in Vietnamese: DejaVu Serif embedded, text as Unicode, as a word
    processor writes it (made with PDFium)."""
    data = font_path("DejaVuSerif").read_bytes()
    document = pdfium.PdfDocument.new()
    page = document.new_page(595, 842)
    font_data = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    font = pdfium_c.FPDFText_LoadFont(
        document.raw, font_data, len(data), pdfium_c.FPDF_FONT_TRUETYPE, True
    )
    for n, line in enumerate(lines):
        text = pdfium_c.FPDFPageObj_CreateTextObj(document.raw, font, 12.0)
        utf16 = ctypes.create_string_buffer((line + "\0").encode("utf-16-le"))
        pdfium_c.FPDFText_SetText(text, ctypes.cast(utf16, pdfium_c.FPDF_WIDESTRING))
        pdfium_c.FPDFPageObj_Transform(text, 1, 0, 0, 1, 72, 770 - 18 * n)
        pdfium_c.FPDFPage_InsertObject(page.raw, text)
    pdfium_c.FPDFPage_GenerateContent(page.raw)
    out = io.BytesIO()
    document.save(out)
    pdfium_c.FPDFFont_Close(font)
    page.close()
    document.close()
    path.write_bytes(out.getvalue())
    return path


ENGLISH_LINES = ["The archive keeps every page of the plan,", "and its text is read once."]


def ink_in(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """The darkest grey in `box` (x, y, w, h) of `image`."""
    x, y, w, h = box
    return image.crop((x, y, x + w, y + h)).getextrema()[0]


@pytest.mark.parametrize("rotate", [0, 90])
def test_a_pdf_text_layer_is_taken_as_it_is_without_ocr(tmp_path, monkeypatch, rotate):
    path = text_pdf(tmp_path / "typed.pdf", ENGLISH_LINES, rotate=rotate)
    monkeypatch.setattr(pytesseract.pytesseract, "run_tesseract", no_tesseract)
    page = read_page(path, 0, "application/pdf", dpi=150)
    assert sorted(page.text.split("\n")) == sorted(ENGLISH_LINES)  # PDFium's order when turned
    assert (page.source, page.ocr_languages, page.hocr, page.language) == (
        "pdf-text", None, None, "en",
    )  # fmt: skip
    assert page.engine.startswith("pdfium ") and page.engine.endswith(" text layer")
    assert sorted(w.text for w in page.words) == sorted(" ".join(ENGLISH_LINES).split())
    assert page.confidence == 100 and all(w.conf == 100 for w in page.words)
    # Letter size at 150 dpi, as PDFium renders it (its size rounds up: 1650 can be 1651).
    letter = (1275, 1650) if rotate == 0 else (1650, 1275)
    assert page.width == pytest.approx(letter[0], abs=1)
    assert page.height == pytest.approx(letter[1], abs=1)
    # The boxes lie on the glyphs of the page as rendered, /Rotate applied.
    rendered = pdf.render_page(path, 0, 150, 10**8)
    assert rendered.size == (page.width, page.height)
    for word in page.words:
        assert ink_in(rendered, (word.x, word.y, word.w, word.h)) < 100, word
    if rotate == 0:
        assert page.text == "\n".join(ENGLISH_LINES)
        assert page.words[0].x == pytest.approx(150, abs=3)  # 72 pt = 1 inch = 150 px


def test_a_typed_vietnamese_pdf_gives_its_text_in_nfc(tmp_path, monkeypatch):
    lines = ["Quyền con người ở Kon Tum: Công ước về quyền trẻ em", "Đắk Glei, Xơ Đăng, Giẻ Triêng"]
    path = vietnamese_text_pdf(tmp_path / "typed.pdf", lines)
    monkeypatch.setattr(pytesseract.pytesseract, "run_tesseract", no_tesseract)
    page = read_page(path, 0, "application/pdf")
    assert page.text == "\n".join(lines) and page.language == "vi"
    assert page.words[0].text == "Quyền"


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [
        ("Seige_of_Vicksburg_Sample_OCR.pdf", 0, "THE SIEGE OF VICKSBURG"),
        ("Seige_of_Vicksburg_Sample_OCR.pdf", 5, "watched the beauty above"),
        ("graph_ocred.pdf", 0, "Oppose"),
    ],
)
def test_a_real_pdf_with_an_ocr_text_layer_is_not_ocred_again(monkeypatch, name, index, expected):
    monkeypatch.setattr(pytesseract.pytesseract, "run_tesseract", no_tesseract)
    page = read_page(DOCUMENTS / name, index, "application/pdf")
    assert page.source == "pdf-text" and expected in page.text
    assert_words_sound(page)


def test_a_scanned_pdf_is_rendered_and_ocred(tmp_path):
    text = VIETNAMESE_TEXTS[1]["text"][:400].rsplit(" ", 1)[0]
    cover = make_page("BÁO CÁO", font="DejaVuSerif", size_pt=14, dpi=200)
    body = make_page(text, font="DejaVuSerif", size_pt=12, dpi=200, seed=3)
    path = make_pdf(tmp_path / "scan.pdf", [cover, body], dpi=200)
    assert pdf.text_layer(path, 1, 300) is None
    with tesseract_runs() as runs:
        page = read_page(path, 1, "application/pdf", languages="vie")
    assert page.source == "ocr" and page.ocr_languages == "vie" and page.hocr
    assert cer(page.text, text) <= 0.02, page.text
    assert page.width == pytest.approx(2481, abs=1)  # A4 rendered at 300 dpi
    assert page.height == pytest.approx(3508, abs=1)
    assert len(runs) == 1 and "--dpi 300" in runs[0]["config"]
    assert_words_sound(page)


def test_a_pdf_page_too_large_to_render_is_refused_before_rendering(tmp_path, monkeypatch):
    path = text_pdf(tmp_path / "poster.pdf", ["x"], size=(14400, 14400))  # 200 × 200 inches
    monkeypatch.setattr(pdfium.PdfPage, "render", no_rendering)
    with pytest.raises(OcrError) as caught:
        read_page(path, 0, "application/pdf", dpi=144)
    assert str(caught.value) == (
        "page 1 is 28800×28800 pixels at 144 dpi, more than the limit of 250,000,000; "
        "refused before rendering"
    )


def test_a_missing_pdf_page_or_a_damaged_pdf_is_a_reason(tmp_path):
    path = text_pdf(tmp_path / "one.pdf", ENGLISH_LINES)
    with pytest.raises(OcrError, match=r"there is no page 2 \(the PDF has 1 page\)"):
        read_page(path, 1, "application/pdf")
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(path.read_bytes()[:200])
    with pytest.raises(OcrError, match="cannot open the PDF"):
        read_page(damaged, 0, "application/pdf")


# --------------------------------------------------------------------------------------------
# The language of a text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (VIETNAMESE_TEXTS[0]["text"], "vi"),
        (unicodedata.normalize("NFD", "Quyền con người ở Việt Nam được tôn trọng"), "vi"),
        ("The plan asks that exhibitions of archival documents be held.", "en"),
        ("Portez ce vieux whisky au juge blond qui fume sur son île.", "fr"),
        ("12 3", None),
        ("Kon Tum 2024", None),  # too few letters to tell
    ],
)
def test_the_language_of_a_text_is_told(text, language):
    assert detect_language(text) == language


# --------------------------------------------------------------------------------------------
# Damaged and hostile files


ROBUSTNESS = sorted(
    p
    for p in (DATA / "robustness").rglob("*")
    if p.is_file() and sniff(p.read_bytes()[:1024]) is not None
)


@pytest.mark.parametrize("path", ROBUSTNESS, ids=lambda p: str(p.relative_to(DATA)))
def test_a_damaged_file_gives_a_reading_or_a_reason_never_a_crash(path):
    media_type = sniff(path.read_bytes()[:1024])
    try:
        page = read_page(path, 0, media_type, timeout=30)
    except OcrError as exc:
        assert str(exc)
        return
    assert isinstance(page, RawReading) and page.width > 0 and page.height > 0
