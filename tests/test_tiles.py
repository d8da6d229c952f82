"""IIIF Image API 3.0 level-0 trees: every tile and size a client asks for, upright, in display
colours, written whole, and accepted by the official validator."""

from __future__ import annotations

import functools
import http.server
import json
import math
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

import pytest
from PIL import Image

from archive.errors import IngestError
from ingest import tiles
from tests.conftest import DATA, client_tiles, text_pdf

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 160, 0), (0, 0, 255), (255, 255, 255)
VALIDATOR_IMAGE = DATA / "iiif" / "67352ccc-d1b0-11e1-89ae-279075081939.png"


# --------------------------------------------------------------------------------------------
# Helpers: what a client computes, and what it gets


def openseadragon_first_image(info: dict) -> str:
    """What OpenSeadragon asks for first: the smallest level, whole, by its size."""
    s = max(info["tiles"][0]["scaleFactors"])
    w, h = math.ceil(info["width"] / s), math.ceil(info["height"] / s)
    return "full/max" if (w, h) == (info["width"], info["height"]) else f"full/{w},{h}"


def jpeg(path: Path) -> Image.Image:
    """The JPEG at `path`, decoded (a test fails here when it is missing or not a JPEG)."""
    with Image.open(path) as image:
        assert image.format == "JPEG", path
        image.load()
        return image


def colour_at(image: Image.Image, x: float, y: float) -> tuple[int, ...]:
    """The mean colour of a small patch around (x, y), given as fractions of the size."""
    cx, cy = round(x * (image.width - 1)), round(y * (image.height - 1))
    box = (max(0, cx - 4), max(0, cy - 4), min(image.width, cx + 5), min(image.height, cy + 5))
    patch = image.crop(box).convert("RGB")
    pixels = list(patch.getdata())
    return tuple(round(sum(p[band] for p in pixels) / len(pixels)) for band in range(3))


def near(colour: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def photo(path: Path, size: tuple[int, int], fmt: str | None = None, **save) -> Path:
    """A picture with detail everywhere (gradients on three channels), not flat colour."""
    w, h = size
    red = Image.linear_gradient("L").resize((w, h))  # top to bottom
    green = Image.radial_gradient("L").resize((w, h))
    blue = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize((w, h))
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.merge("RGB", (red, green, blue)).save(path, format=fmt, **save)
    return path


def quadrant_picture(path: Path, size=(240, 160), orientation: int = 1) -> Path:
    """Blue, with the top-left quarter of the stored pixels red; EXIF `orientation` given."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1] // 2))
    exif = Image.Exif()
    exif[0x0112] = orientation
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=95, exif=exif.tobytes())
    return path


def derive(source: Path, media_type: str, folder: Path, **options) -> tiles.Derivative:
    image = tiles.page_image(source, media_type, **options)
    return tiles.write(image, folder, "https://example.org/iiif/page")


def info_of(folder: Path) -> dict:
    return json.loads((folder / "info.json").read_text(encoding="utf-8"))


def tree_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------------------------
# The tree


@pytest.mark.parametrize(
    "size",
    [(2100, 1300), (1300, 2100), (1025, 513), (1100, 300), (512, 512), (450, 300), (300, 200)],
    ids=lambda s: f"{s[0]}x{s[1]}",
)
def test_every_tile_and_size_a_client_asks_for_is_there_at_its_size(tmp_path, size):
    folder = tmp_path / "page"
    facts = derive(photo(tmp_path / "in.png", size), "image/png", folder)
    info = info_of(folder)
    width, height = size

    assert (info["@context"], info["type"], info["protocol"], info["profile"]) == (
        "http://iiif.io/api/image/3/context.json",
        "ImageService3",
        "http://iiif.io/api/image",
        "level0",
    )
    assert (info["id"], info["width"], info["height"]) == ("https://example.org/iiif/page", *size)
    factors = [1]
    while max(math.ceil(width / factors[-1]), math.ceil(height / factors[-1])) > 512:
        factors.append(factors[-1] * 2)
    assert info["tiles"] == [{"width": 512, "height": 512, "scaleFactors": factors}]

    requests = set(client_tiles(info))
    for region, tile_size in requests:
        image = jpeg(folder / region / tile_size / "0/default.jpg")
        assert image.size == tuple(map(int, tile_size.split(","))), (region, tile_size)
    # Nothing is there that info.json does not offer: its scale factors are exactly the tiles.
    written = {p.name for p in folder.iterdir() if p.is_dir()} - {"full"}
    assert written == {region for region, _ in requests}

    sizes = [(s["width"], s["height"]) for s in info["sizes"]]
    assert sizes == sorted(sizes)
    for w, h in sizes:
        assert jpeg(folder / f"full/{w},{h}/0/default.jpg").size == (w, h)
    assert jpeg(folder / "full/max/0/default.jpg").size == size
    assert (folder / openseadragon_first_image(info) / "0/default.jpg").is_file()

    assert max(facts.thumbnail) <= tiles.THUMBNAIL_SIZE
    assert facts.thumbnail in sizes
    assert facts == tiles.Derivative(size[0], size[1], tuple(sizes), facts.thumbnail, (*factors,))
    assert tiles.read(folder) == facts


def test_sizes_offer_a_thumbnail_and_the_reduced_levels_a_viewer_starts_from(tmp_path):
    facts = derive(photo(tmp_path / "in.jpg", (6000, 4000)), "image/jpeg", tmp_path / "page")

    assert facts.scale_factors == (1, 2, 4, 8, 16)
    assert facts.sizes == ((90, 60), (375, 250), (750, 500), (1500, 1000))
    assert facts.thumbnail == (375, 250)


@pytest.mark.parametrize("size", [(6000, 4000), (1300, 2100), (450, 300), (91, 300)])
def test_the_thumbnail_universal_viewer_asks_for_by_its_width_alone_is_made(tmp_path, size):
    # Universal Viewer asks for `full/90,/0/default.jpg`: a static server must find that file.
    folder = tmp_path / "page"
    derive(photo(tmp_path / "in.png", size), "image/png", folder)
    width, height = size
    made = (90, round(height * 90 / width))
    assert {"width": made[0], "height": made[1]} in info_of(folder)["sizes"]
    assert jpeg(folder / "full/90,/0/default.jpg").size == made
    assert jpeg(folder / f"full/{made[0]},{made[1]}/0/default.jpg").size == made


def test_an_image_narrower_than_universal_viewer_s_thumbnail_is_not_enlarged(tmp_path):
    folder = tmp_path / "page"
    derive(photo(tmp_path / "in.png", (60, 40)), "image/png", folder)
    assert info_of(folder)["sizes"] == [{"width": 60, "height": 40}]
    assert not (folder / "full/90,").exists()


def test_a_thumbnail_is_made_when_the_smallest_level_is_larger_than_one(tmp_path):
    # 7000 / 16 = 438: the smallest level is too large to be the thumbnail.
    facts = derive(photo(tmp_path / "in.jpg", (7000, 3000)), "image/jpeg", tmp_path / "page")

    assert facts.thumbnail == (400, 171)
    assert facts.sizes[:3] == ((90, 39), (400, 171), (438, 188))
    assert jpeg(tmp_path / "page/full/400,171/0/default.jpg").size == (400, 171)


def test_what_another_libvips_leaves_out_is_cut_and_what_it_adds_is_removed(tmp_path, monkeypatch):
    # libvips versions differ in what dzsave writes (8.18 stops at the level that fits one
    # tile, writes it as a size, and nothing else); the tree must come out the same.
    real_dzsave = tiles._dzsave

    def dzsave_of_another_version(image, tree):
        real_dzsave(image, tree)
        for entry in tree.iterdir():
            if entry.is_dir() and entry.name != "full" and "512" not in entry.name.split(",")[2:]:
                shutil.rmtree(entry)  # most tiles of scale factors 2 and up
        for extra in ("0,0,2100,1300/9,6", "full/1,1"):  # a level down to a pixel
            (tree / extra / "0").mkdir(parents=True)
            shutil.copyfile(tree / "0,0,512,512/512,512/0/default.jpg", tree / extra / "0/x.jpg")
        (tree / "vips-properties.xml").write_text("<properties/>")

    monkeypatch.setattr(tiles, "_dzsave", dzsave_of_another_version)
    folder = tmp_path / "page"
    derive(photo(tmp_path / "in.png", (2100, 1300)), "image/png", folder)
    info = info_of(folder)

    full = jpeg(folder / "full/max/0/default.jpg")
    requests = set(client_tiles(info))
    for region, size in requests:
        tile = jpeg(folder / region / size / "0/default.jpg")
        assert tile.size == tuple(map(int, size.split(",")))
        x, y, w, h = map(int, region.split(","))
        # The tile shows its region of the page.
        middle = colour_at(full.crop((x, y, x + w, y + h)), 0.5, 0.5)
        assert near(colour_at(tile, 0.5, 0.5), middle, 12), region
    offered = {f"{region}/{size}/0/default.jpg" for region, size in requests}
    offered |= {f"full/{s['width']},{s['height']}/0/default.jpg" for s in info["sizes"]}
    asked = {"full/max/0/default.jpg", "full/90,/0/default.jpg", "info.json"}
    assert tree_files(folder) == offered | asked


# --------------------------------------------------------------------------------------------
# Upright


CORNERS = {"top left": (0.1, 0.1), "top right": (0.9, 0.1), "bottom right": (0.9, 0.9),
           "bottom left": (0.1, 0.9)}  # fmt: skip


@pytest.mark.parametrize(
    ("orientation", "rotation", "red_corner"),
    [
        (1, 0, "top left"),
        (6, 0, "top right"),  # EXIF 6: the camera was turned; shown turned 90° clockwise
        (8, 0, "bottom left"),
        (1, 90, "top right"),
        (1, 180, "bottom right"),
        (1, 270, "bottom left"),
        (6, 90, "bottom right"),  # the EXIF turn first, then the page's own
    ],
)
def test_the_page_comes_out_upright(tmp_path, orientation, rotation, red_corner):
    source = quadrant_picture(tmp_path / "in.jpg", (240, 160), orientation)
    folder = tmp_path / "page"

    facts = derive(source, "image/jpeg", folder, rotation=rotation)

    turns = (rotation + (90 if orientation in (6, 8) else 0)) // 90
    assert (facts.width, facts.height) == ((160, 240) if turns % 2 else (240, 160))
    for picture in ("full/max", f"full/{facts.thumbnail[0]},{facts.thumbnail[1]}"):
        image = jpeg(folder / picture / "0/default.jpg")
        for corner, (x, y) in CORNERS.items():
            expected = RED if corner == red_corner else BLUE
            assert near(colour_at(image, x, y), expected), (picture, corner)
    tile = next(p for p in folder.glob("0,0,*/*/0/default.jpg"))
    assert near(colour_at(jpeg(tile), 0.05, 0.05), RED if red_corner == "top left" else BLUE)


def test_a_rotation_other_than_a_quarter_turn_is_refused(tmp_path):
    source = quadrant_picture(tmp_path / "in.jpg")
    with pytest.raises(IngestError, match="45° is not a quarter turn"):
        tiles.page_image(source, "image/jpeg", rotation=45)


# --------------------------------------------------------------------------------------------
# Colours


def _grey16(path: Path) -> Path:
    Image.new("I;16", (128, 96), 40000).save(path)  # 40000 / 65535 of white
    return path


def _rgb16(path: Path) -> Path:
    import pyvips

    image = pyvips.Image.black(128, 96).cast("ushort").new_from_image([65535, 0, 32896])
    image.copy(interpretation="rgb16").tiffsave(str(path))
    return path


def _cmyk(path: Path) -> Path:
    Image.new("CMYK", (128, 96), (0, 255, 255, 0)).save(path)  # no profile
    return path


def _cmyk_with_profile(path: Path) -> Path:
    import pyvips

    # Red turned into CMYK through libvips' own CMYK profile, which goes into the file.
    red = (pyvips.Image.black(128, 96, bands=3) + list(RED)).cast("uchar")
    cmyk = red.copy(interpretation="srgb").icc_transform("cmyk", input_profile="srgb")
    assert cmyk.get_typeof("icc-profile-data")
    cmyk.write_to_file(str(path))
    return path


def _palette(path: Path) -> Path:
    image = Image.new("P", (128, 96), 1)
    image.putpalette([0, 0, 0, *GREEN] + [0] * 762)
    image.save(path)
    return path


def _palette_transparent(path: Path) -> Path:
    image = Image.new("P", (128, 96), 0)
    image.putpalette([*RED, *BLUE] + [0] * 762)
    image.paste(1, (64, 0, 128, 96))
    image.save(path, transparency=0)  # red is the transparent entry: the left half
    return path


def _grey_alpha(path: Path) -> Path:
    image = Image.new("LA", (128, 96), (0, 0))  # black, transparent
    image.paste((100, 255), (64, 0, 128, 96))
    image.save(path)
    return path


def _rgba(path: Path) -> Path:
    image = Image.new("RGBA", (128, 96), (*RED, 0))  # red, transparent
    image.paste((*BLUE, 255), (64, 0, 128, 96))
    image.save(path)
    return path


def _bilevel(path: Path) -> Path:
    image = Image.new("1", (128, 96), 0)
    image.paste(1, (64, 0, 128, 96))
    options = {"compression": "group4"} if path.suffix == ".tif" else {}
    image.save(path, **options)
    return path


def _int32(path: Path) -> Path:
    image = Image.new("I", (128, 96), 1000)
    image.paste(3000, (64, 0, 128, 96))
    image.save(path)
    return path


PIXEL_KINDS = [
    ("grey16.png", _grey16, "image/png", "L", (156,) * 3, (156,) * 3),
    ("rgb16.tif", _rgb16, "image/tiff", "RGB", (255, 0, 128), (255, 0, 128)),
    ("cmyk.jpg", _cmyk, "image/jpeg", "RGB", RED, RED),
    ("cmyk-profile.tif", _cmyk_with_profile, "image/tiff", "RGB", RED, RED),
    ("cmyk-profile.jpg", _cmyk_with_profile, "image/jpeg", "RGB", RED, RED),
    ("palette.png", _palette, "image/png", "RGB", GREEN, GREEN),
    ("palette-transparent.png", _palette_transparent, "image/png", "RGB", WHITE, BLUE),
    ("grey-alpha.png", _grey_alpha, "image/png", "L", WHITE, (100,) * 3),
    ("rgba.png", _rgba, "image/png", "RGB", WHITE, BLUE),
    ("bilevel.png", _bilevel, "image/png", "L", (0,) * 3, WHITE),
    ("bilevel-g4.tif", _bilevel, "image/tiff", "L", (0,) * 3, WHITE),
    ("int32.tif", _int32, "image/tiff", "L", (0,) * 3, WHITE),
]


@pytest.mark.parametrize(
    ("name", "make", "media_type", "mode", "left", "right"),
    PIXEL_KINDS,
    ids=[kind[0] for kind in PIXEL_KINDS],
)
def test_every_kind_of_pixel_comes_out_as_an_8_bit_jpeg_in_its_colours(
    tmp_path, name, make, media_type, mode, left, right
):
    source = make(tmp_path / name)
    folder = tmp_path / "page"

    derive(source, media_type, folder)

    for picture in ("full/max/0/default.jpg", "0,0,128,96/128,96/0/default.jpg"):
        image = jpeg(folder / picture)
        assert image.mode == mode, picture  # 8 bits a channel, grey or RGB: never CMYK
        assert near(colour_at(image, 0.2, 0.5), left, 45), (picture, "left")
        assert near(colour_at(image, 0.8, 0.5), right, 45), (picture, "right")


def test_a_wide_gamut_profile_is_converted_to_srgb(tmp_path):
    import pyvips

    # sRGB green in Display P3 numbers, with the P3 profile in the file: shown as they are,
    # the numbers would be a duller, redder green.
    green = (pyvips.Image.black(64, 48, bands=3) + list(GREEN)).cast("uchar")
    p3 = green.copy(interpretation="srgb").icc_transform("p3", input_profile="srgb")
    assert not near(tuple(p3(0, 0)), GREEN, 15)
    p3.write_to_file(str(tmp_path / "green.png"))

    image = tiles.page_image(tmp_path / "green.png", "image/png")

    assert (image.bands, image.format) == (3, "uchar")
    assert near(tuple(round(v) for v in image(10, 10)), GREEN, 6)


# --------------------------------------------------------------------------------------------
# Documents


def test_a_pdf_page_is_rendered_at_300_dpi_at_the_size_its_text_boxes_refer_to(tmp_path):
    from ingest.pdf import page_sizes

    source = text_pdf(tmp_path / "letter.pdf", ["Quyen con nguoi", "Human rights"])

    image = tiles.page_image(source, "application/pdf")

    assert (image.width, image.height) == page_sizes(source, 300)[0]
    assert image.width == 2550 and abs(image.height - 3300) <= 1  # 8.5 × 11 inches
    assert image.bands == 3 and image.format == "uchar"
    assert image(5, 5) == [255.0, 255.0, 255.0]  # paper
    assert image.crop(250, 250, 800, 100).min() < 100  # ink


@pytest.mark.parametrize("lines", [["x"], ["Ke hoach tuyen truyen ve quyen con nguoi 2024"]])
def test_a_pdf_page_too_large_is_refused_from_its_size_before_rendering(
    tmp_path, monkeypatch, lines
):
    import pypdfium2 as pdfium

    poster = text_pdf(tmp_path / "poster.pdf", lines, size=(14400, 14400))  # 600 bytes

    def never(*args, **kwargs):
        raise AssertionError("the page was rendered")

    monkeypatch.setattr(pdfium.PdfPage, "render", never)
    with pytest.raises(IngestError) as caught:
        tiles.page_image(poster, "application/pdf")
    assert caught.value.reason == (
        "page 1 is 60001×60001 pixels at 300 dpi, more than the limit of 250,000,000; "
        "refused before rendering"
    )


def test_an_image_page_over_the_limit_is_refused_before_decoding(tmp_path):
    path = tmp_path / "page.png"
    Image.new("L", (300, 200), 128).save(path)
    with pytest.raises(IngestError, match=r"page 1 is 300×200 pixels, more than the limit of "):
        tiles.page_image(path, "image/png", max_pixels=50_000)
    assert tiles.page_image(path, "image/png", max_pixels=60_000).width == 300


def test_a_pdf_page_keeps_its_colours_and_its_rotate(tmp_path):
    picture = Image.new("RGB", (200, 100), RED)
    picture.paste(BLUE, (100, 0, 200, 100))
    source = tmp_path / "colour.pdf"
    picture.save(source, resolution=72)  # one point a pixel
    turned = text_pdf(tmp_path / "turned.pdf", ["Quyen con nguoi"], rotate=90)
    folder = tmp_path / "page"

    facts = derive(source, "application/pdf", folder, dpi=144)
    turned_image = tiles.page_image(turned, "application/pdf", dpi=72)

    assert (facts.width, facts.height) == (400, 200)
    image = jpeg(folder / "full/max/0/default.jpg")
    assert near(colour_at(image, 0.25, 0.5), RED)
    assert near(colour_at(image, 0.75, 0.5), BLUE)
    assert (turned_image.width, turned_image.height) == (792, 612)


def test_the_second_page_of_a_multipage_tiff(tmp_path):
    pages = [Image.new("RGB", size, colour) for size, colour in
             (((100, 80), RED), ((120, 90), GREEN), ((140, 100), BLUE))]  # fmt: skip
    source = tmp_path / "pages.tif"
    pages[0].save(source, save_all=True, append_images=pages[1:], compression="tiff_lzw")
    folder = tmp_path / "page"

    facts = derive(source, "image/tiff", folder, frame=1)

    assert (facts.width, facts.height) == (120, 90)
    assert near(colour_at(jpeg(folder / "full/max/0/default.jpg"), 0.5, 0.5), GREEN)
    with pytest.raises(IngestError, match=r"there is no page 4 \(the file has 3 pages\)"):
        tiles.page_image(source, "image/tiff", frame=3)


def test_a_single_image_has_no_second_page(tmp_path):
    source = quadrant_picture(tmp_path / "in.jpg")
    with pytest.raises(IngestError, match=r"there is no page 2 \(the file has 1 page\)"):
        tiles.page_image(source, "image/jpeg", frame=1)


# --------------------------------------------------------------------------------------------
# Damaged files


def _truncated_jpeg(folder: Path) -> Path:
    whole = photo(folder / "whole.jpg", (800, 600), quality=90).read_bytes()
    path = folder / "truncated.jpg"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _truncated_tiff(folder: Path) -> Path:
    whole = photo(folder / "whole.tif", (800, 600)).read_bytes()
    path = folder / "truncated.tif"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _not_an_image(folder: Path) -> Path:
    path = folder / "notes.png"
    path.write_bytes(b"These are notes, not a picture.\n" * 20)
    return path


def _sample(name: str):
    return lambda _folder: DATA / "robustness/pillow" / name


@pytest.mark.parametrize(
    ("make", "media_type"),
    [
        pytest.param(_truncated_jpeg, "image/jpeg", id="truncated JPEG"),
        pytest.param(_truncated_tiff, "image/tiff", id="truncated TIFF"),
        pytest.param(_not_an_image, "image/png", id="not an image"),
        pytest.param(_sample("truncated_jpeg.jpg"), "image/jpeg", id="Pillow's truncated JPEG"),
        pytest.param(_sample("truncated_image.png"), "image/png", id="Pillow's truncated PNG"),
        pytest.param(_sample("broken.png"), "image/png", id="Pillow's broken PNG"),
    ],
)
def test_a_damaged_file_fails_with_a_reason(tmp_path, make, media_type):
    source = make(tmp_path)

    with pytest.raises(IngestError) as caught:
        tiles.page_image(source, media_type)

    error = caught.value
    assert (error.path, error.step) == (str(source), "derivatives")
    assert error.reason.startswith("cannot decode the image: ")
    assert len(error.reason) > len("cannot decode the image: ") + 10
    assert "Traceback" not in error.reason and "\n" not in error.reason


def test_other_files_are_refused(tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text("notes")
    with pytest.raises(IngestError, match="no IIIF images of text/plain"):
        tiles.page_image(source, "text/plain")


# --------------------------------------------------------------------------------------------
# Writing safely


def test_rebuilding_replaces_the_whole_tree(tmp_path):
    folder = tmp_path / "derivatives" / "ab" / "page"
    derive(photo(tmp_path / "big.png", (1400, 900)), "image/png", folder)
    before = tree_files(folder)
    small = quadrant_picture(tmp_path / "small.jpg", (300, 200))

    facts = derive(small, "image/jpeg", folder)

    after = tree_files(folder)
    assert (facts.width, facts.height) == (300, 200)
    assert info_of(folder)["width"] == 300
    assert "0,0,512,512/512,512/0/default.jpg" in before
    assert not any(name.startswith("0,0,512,512/") for name in after)  # nothing left of the old
    assert near(colour_at(jpeg(folder / "full/max/0/default.jpg"), 0.1, 0.1), RED)
    assert os.listdir(folder.parent) == ["page"]  # no building folder left beside it


def test_a_build_that_fails_leaves_the_old_tree_as_it_was(tmp_path):
    import pyvips

    folder = tmp_path / "page"
    derive(photo(tmp_path / "good.png", (1400, 900)), "image/png", folder)
    before = {name: (folder / name).read_bytes() for name in tree_files(folder)}
    # An image that fails part-way through being written: its file ends early.
    broken = _truncated_jpeg(tmp_path)
    lazy = pyvips.Image.new_from_file(str(broken), fail_on="truncated")

    with pytest.raises(IngestError, match="cannot write the images"):
        tiles.write(lazy, folder, "https://example.org/iiif/page")

    assert {name: (folder / name).read_bytes() for name in tree_files(folder)} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftover


def test_what_a_killed_build_left_is_swept_away(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    leftover = tmp_path / f".page.building-{finished.stdout.strip()}-x1y2z3"
    (leftover / "tree" / "full").mkdir(parents=True)
    mine = tmp_path / f".page.building-{os.getpid()}-a1b2c3"  # a live build: left alone
    mine.mkdir()

    derive(quadrant_picture(tmp_path / "in.jpg"), "image/jpeg", tmp_path / "page")

    assert not leftover.exists()
    assert mine.exists()


def test_retarget_changes_only_the_id(tmp_path):
    folder = tmp_path / "page"
    derive(photo(tmp_path / "in.png", (1400, 900)), "image/png", folder)
    before, files = info_of(folder), tree_files(folder)

    tiles.retarget(folder, "https://archive.example.vn/iiif/images/KT-2024-000001/1")

    after = info_of(folder)
    assert after["id"] == "https://archive.example.vn/iiif/images/KT-2024-000001/1"
    assert {**after, "id": before["id"]} == before
    assert tree_files(folder) == files


def test_reading_a_folder_without_images_says_so(tmp_path):
    with pytest.raises(IngestError, match=r"no info\.json"):
        tiles.read(tmp_path)


# --------------------------------------------------------------------------------------------
# Served, as a static web server would


class _StaticHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".json": "application/json"}  # fmt: skip

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, format, *args) -> None:
        pass


@contextmanager
def served(root: Path) -> Iterator[str]:
    """`root` served over HTTP on a free local port; yields host:port."""
    handler = functools.partial(_StaticHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_official_validator_passes_a_served_tree(tmp_path):
    identifier = VALIDATOR_IMAGE.stem  # the validator asks for its image by this name
    root = tmp_path / "www"
    with served(root) as host:
        folder = root / "iiif" / identifier
        derive(VALIDATOR_IMAGE, "image/png", folder)
        tiles.retarget(folder, f"http://{host}/iiif/{identifier}")
        validator = Path(sys.executable).parent / "iiif-validate.py"
        result = subprocess.run(
            [sys.executable, str(validator), "--server", host, "--prefix", "iiif",
             "--identifier", identifier, "--version=3.0", "--level", "0"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        log = result.stdout + result.stderr
        assert result.returncode == 0, log
        assert "FAIL" not in log and ", 0 failures)" in log, log

        with urlopen(f"http://{host}/iiif/{identifier}/info.json") as response:
            info = json.loads(response.read())
        for region, size in client_tiles(info):
            with urlopen(f"{info['id']}/{region}/{size}/0/default.jpg") as response:
                assert response.status == 200
                assert response.headers["Content-Type"] == "image/jpeg"
