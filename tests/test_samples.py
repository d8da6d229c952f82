"""The sample material made by demo.samples: photos, pages, files and the demo collection."""

import csv
import hashlib
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import exifread
import pytest
import yaml
from exifread.utils import get_gps_coords
from PIL import Image, ImageOps, ImageStat
from pypdf import PdfReader

from demo import samples
from demo.samples import (
    CSV_COLUMNS,
    VIETNAMESE_TEXTS,
    a4_size,
    build_demo_collection,
    make_multipage_tiff,
    make_page,
    make_pdf,
    make_photo,
    xmp_packet,
)

HEADER = (
    "file,title,title_en,description,description_en,creator,date,subject,language,rights,"
    "place,latitude,longitude,type,access"
)
EDTF = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$|^\d{3}X$")
RIGHTS = re.compile(
    r"^http://(rightsstatements\.org/vocab/[A-Za-z-]+/1\.0/"
    r"|creativecommons\.org/licenses/[a-z-]+/4\.0/)$"
)
NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def exif_tags(path: Path) -> dict:
    with path.open("rb") as f:
        return exifread.process_file(f, details=False)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def header_of(path: Path) -> tuple[tuple[int, int], dict, int]:
    """An image file's size, info and number of frames, the file closed again."""
    with Image.open(path) as image:
        return image.size, dict(image.info), getattr(image, "n_frames", 1)


def sha256_of_tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def dark_share(image: Image.Image, threshold: int = 100) -> float:
    histogram = image.convert("L").histogram()
    return sum(histogram[:threshold]) / (image.width * image.height)


# --------------------------------------------------------------------------------------------
# Photos


def test_photo_exif_reads_back_with_exifread(tmp_path):
    path = make_photo(
        tmp_path / "a.jpg", width=600, height=400, seed=3, taken="2009-11-20T10:15:00",
        make="NIKON CORPORATION", model="NIKON D90", artist="A Thuyên",
        copyright="© 2019 Y Hoa", description="Nhà rông Kon Klor", gps=(15.0850, 107.7330),
        orientation=6,
    )  # fmt: skip
    tags = exif_tags(path)

    assert str(tags["EXIF DateTimeOriginal"]) == "2009:11:20 10:15:00"
    assert str(tags["Image DateTime"]) == "2009:11:20 10:15:00"
    assert str(tags["Image Make"]) == "NIKON CORPORATION"
    assert str(tags["Image Model"]) == "NIKON D90"
    assert str(tags["Image Artist"]) == "A Thuyên"
    assert str(tags["Image Copyright"]) == "© 2019 Y Hoa"
    assert str(tags["Image ImageDescription"]) == "Nhà rông Kon Klor"
    assert tags["Image Orientation"].values == [6]
    lat, lon = get_gps_coords(tags)
    assert (round(lat, 4), round(lon, 4)) == (15.0850, 107.7330)


def test_photo_gps_in_the_southern_and_western_hemispheres_keeps_its_sign(tmp_path):
    path = make_photo(tmp_path / "s.jpg", width=200, height=150, gps=(-33.8688, -70.1234))
    tags = exif_tags(path)
    assert str(tags["GPS GPSLatitudeRef"]) == "S"
    assert str(tags["GPS GPSLongitudeRef"]) == "W"
    lat, lon = get_gps_coords(tags)
    assert (round(lat, 4), round(lon, 4)) == (-33.8688, -70.1234)


def test_photo_writes_the_time_zone_offset_when_taken_has_one(tmp_path):
    path = make_photo(tmp_path / "z.jpg", width=200, height=150, taken="2022-12-10T09:30:12+07:00")
    tags = exif_tags(path)
    assert str(tags["EXIF DateTimeOriginal"]) == "2022:12:10 09:30:12"
    assert str(tags["EXIF OffsetTimeOriginal"]) == "+07:00"


def test_photo_without_date_gps_or_xmp_has_none_of_them(tmp_path):
    path = make_photo(tmp_path / "bare.jpg", width=200, height=150, taken=None)
    tags = exif_tags(path)
    assert "EXIF DateTimeOriginal" not in tags
    assert get_gps_coords(tags) is None
    assert "xmp" not in header_of(path)[1]


def test_photo_with_orientation_6_shows_the_sky_on_top_once_transposed(tmp_path):
    path = make_photo(tmp_path / "p.jpg", width=600, height=400, orientation=6, seed=1)
    with Image.open(path) as stored:
        assert stored.size == (600, 400)
        upright = ImageOps.exif_transpose(stored)
    assert upright.size == (400, 600)
    top = upright.crop((0, 0, 400, 60)).resize((1, 1)).getpixel((0, 0))
    bottom = upright.crop((0, 540, 400, 600)).resize((1, 1)).getpixel((0, 0))
    assert top[2] > bottom[2] + 40  # blue sky above, green hills below


def test_photo_xmp_packet_parses_as_xml_and_holds_title_keywords_and_creator(tmp_path):
    path = make_photo(
        tmp_path / "x.jpg", width=300, height=200, artist="Y Hoa",
        xmp_title="Phụ nữ Brâu dệt thổ cẩm <Đắk Mế>", keywords=["bình đẳng giới", "CEDAW"],
    )  # fmt: skip
    packet = header_of(path)[1]["xmp"]
    root = ET.fromstring(packet)

    title = root.find(".//dc:title/rdf:Alt/rdf:li", NS)
    assert title.text == "Phụ nữ Brâu dệt thổ cẩm <Đắk Mế>"
    assert title.get(XML_LANG) == "x-default"
    subjects = [li.text for li in root.findall(".//dc:subject/rdf:Bag/rdf:li", NS)]
    assert subjects == ["bình đẳng giới", "CEDAW"]
    assert [li.text for li in root.findall(".//dc:creator/rdf:Seq/rdf:li", NS)] == ["Y Hoa"]


def test_xmp_packet_leaves_out_what_it_is_not_given():
    root = ET.fromstring(xmp_packet(keywords=["CRC"]))
    assert root.find(".//dc:title", NS) is None
    assert root.find(".//dc:creator", NS) is None
    assert [li.text for li in root.findall(".//dc:subject/rdf:Bag/rdf:li", NS)] == ["CRC"]


def test_photo_is_the_same_for_a_seed_and_differs_between_seeds(tmp_path):
    a = make_photo(tmp_path / "a.jpg", width=400, height=300, seed=7).read_bytes()
    b = make_photo(tmp_path / "b.jpg", width=400, height=300, seed=7).read_bytes()
    c = make_photo(tmp_path / "c.jpg", width=400, height=300, seed=8).read_bytes()
    assert a == b
    assert a != c


def test_photo_of_3000_by_2000_has_the_size_of_a_real_photograph(tmp_path):
    path = make_photo(tmp_path / "big.jpg", width=3000, height=2000, seed=2)
    assert header_of(path)[0] == (3000, 2000)
    assert 500_000 <= path.stat().st_size <= 2_000_000


def test_photo_rejects_an_orientation_outside_1_to_8(tmp_path):
    with pytest.raises(ValueError, match="orientation"):
        make_photo(tmp_path / "o.jpg", width=100, height=100, orientation=9)


# --------------------------------------------------------------------------------------------
# Pages


@pytest.mark.parametrize(("dpi", "size"), [(300, (2480, 3508)), (200, (1654, 2339))])
def test_page_is_an_a4_greyscale_image_with_dark_text(dpi, size):
    page = make_page(VIETNAMESE_TEXTS[0]["text"], dpi=dpi, seed=1)
    assert a4_size(dpi) == size
    assert page.size == size
    assert page.mode == "L"
    assert page.info["dpi"] == (dpi, dpi)
    assert 0.01 < dark_share(page) < 0.2
    lo, hi = page.getextrema()
    assert lo < 60 and hi > 200


def test_scanned_page_has_grey_paper_and_a_clean_page_has_white(tmp_path):
    text = VIETNAMESE_TEXTS[1]["text"]
    scanned = make_page(text, dpi=100, seed=4)
    clean = make_page(text, dpi=100, scan_noise=False)
    corner = (0, 0, 60, 60)
    assert 215 < ImageStat.Stat(scanned.crop(corner)).mean[0] < 250
    assert clean.crop(corner).getextrema() == (255, 255)
    assert clean.getextrema() == (0, 255)


def test_two_column_page_puts_text_in_both_halves():
    page = make_page(VIETNAMESE_TEXTS[3]["text"], dpi=100, columns=2, scan_noise=False)
    width, height = page.size
    left = page.crop((0, 0, width // 2, height // 3))
    right = page.crop((width // 2, 0, width, height // 3))
    assert dark_share(left) > 0.02
    assert dark_share(right) > 0.02


def test_page_text_is_normalised_to_nfc_before_drawing():
    text = VIETNAMESE_TEXTS[4]["text"]
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    one = make_page(text, dpi=72, scan_noise=False)
    other = make_page(nfd, dpi=72, scan_noise=False)
    assert one.tobytes() == other.tobytes()


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("Báo cáo y tế", {"font": "DejaVuSansMono"}, "no glyph"),
        ("Báo cáo", {"font": "NoSuchFont"}, "no font"),
        ("Báo cáo", {"columns": 3}, "columns"),
        (VIETNAMESE_TEXTS[0]["text"] * 4, {"size_pt": 14}, "does not fit"),
    ],
)
def test_page_refuses_what_it_cannot_draw(text, options, message):
    with pytest.raises(ValueError, match=message):
        make_page(text, dpi=72, **options)


# --------------------------------------------------------------------------------------------
# Texts


def test_vietnamese_texts_are_short_nfc_documents_with_both_titles():
    assert len(VIETNAMESE_TEXTS) >= 8
    assert len({t["slug"] for t in VIETNAMESE_TEXTS}) == len(VIETNAMESE_TEXTS)
    for entry in VIETNAMESE_TEXTS:
        assert set(entry) == {"slug", "title_vi", "title_en", "date", "text"}
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry["slug"])
        assert EDTF.match(entry["date"]), entry["date"]
        assert 120 <= len(entry["text"].split()) <= 250, entry["slug"]
        for key in ("title_vi", "title_en", "text"):
            assert unicodedata.is_normalized("NFC", entry[key])
        assert re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", entry["text"])


def test_vietnamese_texts_cover_the_conventions_and_the_districts():
    corpus = " ".join(t["text"] for t in VIETNAMESE_TEXTS)
    for word in ("ICCPR", "ICESCR", "CEDAW", "ICERD", "CRC", "CRPD", "CAT", "Ba Na", "Xơ Đăng",
                 "Gia Rai", "Giẻ Triêng", "Brâu", "Rơ Măm", "Đắk Glei", "Kon Plông",
                 "Ia H'Drai", "Tu Mơ Rông", "Sa Thầy", "Ngọc Hồi"):  # fmt: skip
        assert word in corpus, word


# --------------------------------------------------------------------------------------------
# Multi-page files


@pytest.mark.parametrize("compression", ["tiff_lzw", "group4"])
def test_multipage_tiff_has_one_frame_per_page(tmp_path, compression):
    pages = [make_page(t["text"], dpi=72, seed=i) for i, t in enumerate(VIETNAMESE_TEXTS[:3])]
    path = make_multipage_tiff(tmp_path / "three.tif", pages, compression=compression)
    with Image.open(path) as tiff:
        assert tiff.n_frames == 3
        assert tiff.info["compression"] == compression
        assert tiff.size == a4_size(72)


def test_pdf_has_one_page_per_image_and_its_title_and_author(tmp_path):
    pages = [make_page(t["text"], dpi=100, seed=i) for i, t in enumerate(VIETNAMESE_TEXTS[:2])]
    path = make_pdf(tmp_path / "two.pdf", pages, dpi=100, title="Quyền con người ở Kon Tum",
                    author="Sở Thông tin và Truyền thông")  # fmt: skip
    reader = PdfReader(path)
    assert len(reader.pages) == 2
    assert reader.metadata.title == "Quyền con người ở Kon Tum"
    assert reader.metadata.author == "Sở Thông tin và Truyền thông"
    width_pt = float(reader.pages[0].mediabox.width)
    assert width_pt == pytest.approx(595.3, abs=0.5)  # A4 at the dpi given


def test_pdf_is_the_same_from_run_to_run(tmp_path):
    pages = [make_page("Trang một", dpi=50, seed=1)]
    one = make_pdf(tmp_path / "1.pdf", pages, dpi=50, title="Tư liệu").read_bytes()
    two = make_pdf(tmp_path / "2.pdf", pages, dpi=50, title="Tư liệu").read_bytes()
    assert one == two


# --------------------------------------------------------------------------------------------
# The demo collection


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return build_demo_collection(tmp_path_factory.mktemp("demo") / "collection", seed=0)


@pytest.mark.parametrize("folder", ["photos", "documents"])
def test_demo_csv_has_the_dublin_core_header_and_names_files_that_exist(demo, folder):
    path = demo / folder / "metadata.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf" + HEADER.encode())
    columns, rows = read_csv(path)
    assert columns == HEADER.split(",") == list(CSV_COLUMNS)
    assert rows
    for row in rows:
        assert (path.parent / row["file"]).is_file(), row["file"]
        assert EDTF.match(row["date"]), row["date"]
        assert RIGHTS.match(row["rights"]), row["rights"]
        assert row["access"] in ("public", "restricted")
        assert all(re.fullmatch("[a-z]{3}", code) for code in row["language"].split(";"))
        assert row["title"] and row["title_en"]
        assert all(unicodedata.is_normalized("NFC", value) for value in row.values())


def test_demo_photos_csv_has_exactly_one_restricted_row_and_leaves_a_photo_out(demo):
    _, rows = read_csv(demo / "photos" / "metadata.csv")
    assert [row["access"] for row in rows].count("restricted") == 1
    photos = {p.name for p in (demo / "photos").iterdir() if p.suffix.lower() == ".jpg"}
    assert len(photos) >= 8
    assert 1 <= len(photos - {row["file"] for row in rows}) < len(photos) / 2
    assert {"bdq", "sed", "eng"} <= {c for row in rows for c in row["language"].split(";")}


def test_demo_photos_carry_dates_cameras_and_places_in_kon_tum(demo):
    years, with_gps, orientations, with_xmp = set(), 0, [], 0
    for path in sorted((demo / "photos").glob("*.[jJ][pP][gG]")):
        tags = exif_tags(path)
        years.add(int(str(tags["EXIF DateTimeOriginal"])[:4]))
        assert str(tags["Image Make"]) and str(tags["Image Model"])
        orientations.append(tags["Image Orientation"].values[0])
        if coords := get_gps_coords(tags):
            with_gps += 1
            assert 13.9 < coords[0] < 15.5 and 107.3 < coords[1] < 108.6, path.name
        with_xmp += "xmp" in header_of(path)[1]
    assert min(years) == 1995 and max(years) == 2024
    assert with_gps >= 4
    assert orientations.count(6) == 1
    assert with_xmp >= 2


def test_demo_documents_hold_every_kind_of_scan(demo):
    docs = demo / "documents"
    assert {p.suffix for p in docs.iterdir() if p.is_file()} >= {".png", ".tif", ".pdf"}
    tiffs = [p for p in docs.glob("*.tif") if header_of(p)[2] == 3]
    assert len(tiffs) == 1
    assert header_of(tiffs[0])[1]["compression"] in ("group4", "tiff_lzw")
    (pdf,) = docs.glob("*.pdf")
    assert len(PdfReader(pdf).pages) == 2
    assert PdfReader(pdf).metadata.title
    pages = [p for p in docs.iterdir() if p.suffix in (".png", ".tif") and p not in tiffs]
    sizes = {header_of(p)[0] for p in pages}
    assert sizes == {a4_size(200)}


def test_demo_compound_document_has_item_yaml_and_numbered_pages(demo):
    (item_file,) = (demo / "documents").glob("*/item.yaml")
    item = yaml.safe_load(item_file.read_text(encoding="utf-8"))
    assert set(item) >= {"title", "description", "date", "creator", "subject", "language"}
    assert set(item["title"]) == set(item["description"]) == {"vi", "en"}
    assert isinstance(item["date"], str) and EDTF.match(item["date"])
    assert item["language"] == ["vie"]
    assert isinstance(item["subject"], list) and item["subject"]
    pages = sorted(p.name for p in item_file.parent.glob("page-*.png"))
    assert pages == ["page-01.png", "page-02.png", "page-03.png"]


@pytest.mark.slow
def test_demo_built_twice_with_one_seed_is_byte_identical(demo, tmp_path, capsys):
    again = tmp_path / "again"
    assert samples.main([str(again), "--seed", "0"]) == 0
    first, second = sha256_of_tree(demo), sha256_of_tree(again)
    assert first == second
    printed = capsys.readouterr().out
    for name in first:
        assert name in printed.replace(str(again) + "/", "")
