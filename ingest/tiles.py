"""IIIF Image API 3.0 level-0 images of one page: pre-made tiles and sizes that any static web
server can host, and OpenSeadragon or Mirador can show.

A page's folder holds, beside its `info.json`:

- 512 px tiles at scale factors 1, 2, 4, ... up to the factor at which the whole page fits in one
  tile, at `{x},{y},{w},{h}/{sw},{sh}/0/default.jpg`: the region in full-size pixels, then the
  size the tile is delivered at, rounded up (ceil) as IIIF clients compute it;
- `full/max/0/default.jpg`, the page at full size, and `full/{w},{h}/0/default.jpg` for each of
  the `sizes` in info.json: the reduced levels a viewer shows before tiles arrive, a thumbnail
  whose longest side is at most `THUMBNAIL_SIZE`, and the 90 px wide one Universal Viewer asks
  for (also at `full/90,/0/default.jpg`, as it asks). OpenSeadragon asks for the smallest level
  as `full/{w},{h}`, which is one of them.

libvips' `dzsave(layout="iiif3")` writes the tiles, faster than anything cut here would; what it
lacks (the smallest level under its region path, `full/max`, the sizes, an info.json with the
real id) is added after, and any tile another libvips version leaves out is cut here. A tree is
built in a hidden folder beside its target and renamed into place, whole.

pyvips is imported inside the functions that use it (importing it costs ~0.15 s): importing
this module costs nothing until an image is made.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from archive.derivatives import THUMBNAIL_SIZE, Derivative, facts_of, load_info, thumbnail_of
from archive.errors import IngestError
from archive.settings import BY_NAME
from archive.storage import write_atomically
from ingest.workers import alive

if TYPE_CHECKING:
    import pyvips

TILE_SIZE = 512
MAX_PIXELS = BY_NAME["max_image_pixels"].default  # a page larger is never decoded
QUALITY = 85  # JPEG quality of tiles and sizes; below 90 libvips subsamples chroma (4:2:0)
# Reduced levels up to this longest side are offered as sizes: enough for a page on screen,
# while larger ones would cost a JPEG as big as a quarter of the page for little use.
LARGEST_SIZE = 2048
# Universal Viewer asks for its thumbnails by width alone, `full/90,/0/default.jpg`, which a
# level-0 service need not serve: that size is made and offered too, and also written under
# the path UV asks for, so a static copy of the tree answers it.
WIDTH_ONLY_SIZE = 90

IMAGE_TYPES = ("image/jpeg", "image/png", "image/tiff")
PDF_TYPE = "application/pdf"
STEP = "derivatives"
CONTEXT = "http://iiif.io/api/image/3/context.json"
PROTOCOL = "http://iiif.io/api/image"
IMAGE_NAME = "0/default.jpg"  # rotation 0, quality default, format jpg
_BUILDING = ".building-"
# Colour spaces libvips converts to sRGB itself (CMYK and profiles are handled apart).
_OTHER_SPACES = (
    "lab", "labq", "labs", "lch", "cmc", "xyz", "yxy", "scrgb", "hsv", "oklab", "oklch",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# The page upright, in display colours


def page_image(
    path: Path,
    media_type: str,
    frame: int = 0,
    rotation: int = 0,
    *,
    dpi: int = 300,
    max_pixels: int = MAX_PIXELS,
) -> pyvips.Image:
    """The page upright, as a pyvips image in sRGB (or grey), 8 bits, no alpha.

    `frame` is the page of a multi-page TIFF or a PDF (0-based); `rotation` (0, 90, 180, 270) is
    how far the page is turned clockwise after its EXIF orientation, as OCR found it; `dpi` is
    the resolution a PDF page is rendered at. A page of more than `max_pixels` pixels is refused
    from its header (a PDF page from its size) before it is decoded. The image is decoded here,
    into memory, so a damaged file fails here: IngestError with the reason.
    """
    import pyvips

    # Each page is seen once: libvips' cache of operations (up to 100 MB a worker) only holds
    # memory a long ingest needs elsewhere.
    pyvips.cache_set_max(0)
    path = Path(path)
    if rotation not in (0, 90, 180, 270):
        raise IngestError(str(path), STEP, f"a rotation of {rotation}° is not a quarter turn")
    try:
        if media_type == PDF_TYPE:
            image = _pdf_page(path, frame, dpi, max_pixels)
        elif media_type in IMAGE_TYPES:
            image = _image_page(path, frame, max_pixels)
        else:
            raise IngestError(str(path), STEP, f"no IIIF images of {media_type or 'this file'}")
        image = _display_colours(image)
        image = image.copy_memory()  # decodes: a damaged file fails now, and only once
        return _turned(image, rotation)
    except pyvips.Error as exc:
        raise IngestError(str(path), STEP, f"cannot decode the image: {_reason(exc)}")


def _image_page(path: Path, frame: int, max_pixels: int) -> pyvips.Image:
    import pyvips

    header = pyvips.Image.new_from_file(str(path))
    pages = header.get("n-pages") if header.get_typeof("n-pages") else 1
    if not 0 <= frame < pages:
        raise IngestError(
            str(path), STEP, f"there is no page {frame + 1} (the file has {_pages(pages)})"
        )
    options = {"page": frame} if pages > 1 else {}
    # Sequential: decoded once, straight into memory. A damaged file is an error, not a picture
    # with a grey end: "truncated" would let a TIFF cut short through, filled with black.
    image = pyvips.Image.new_from_file(str(path), access="sequential", fail_on="error", **options)
    if image.width * image.height > max_pixels:
        raise IngestError(
            str(path),
            STEP,
            f"page {frame + 1} is {image.width}×{image.height} pixels, more than the limit "
            f"of {max_pixels:,}; refused before decoding",
        )
    return image


def _pdf_page(path: Path, frame: int, dpi: int, max_pixels: int) -> pyvips.Image:
    """The page rendered in colour on white at `dpi`, its /Rotate applied; refused from its
    size, before rendering, when larger than `max_pixels`."""
    import pypdfium2 as pdfium
    import pyvips

    from ingest.pdf import POINTS_PER_INCH, check_size, open_page, pixel_size
    from ingest.readings import OcrError

    try:
        with open_page(path, frame) as page:
            check_size(*pixel_size(page, dpi), frame + 1, dpi, max_pixels)
            try:
                bitmap = page.render(scale=dpi / POINTS_PER_INCH)
            except pdfium.PdfiumError as exc:
                raise IngestError(str(path), STEP, f"cannot render page {frame + 1}: {exc}")
            try:
                rendered = bitmap.to_pil().convert("RGB")
            finally:
                bitmap.close()
    except OcrError as exc:
        raise IngestError(str(path), STEP, str(exc))
    width, height = rendered.size
    return pyvips.Image.new_from_memory(rendered.tobytes(), width, height, 3, "uchar")


def _display_colours(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB or grey, transparency laid on white paper. A grey image's profile is left
    aside: converting would make it three bands of the same grey."""
    if image.interpretation == "cmyk" or (_coloured(image) and _foreign_profile(image)):
        fallback = "cmyk" if image.interpretation == "cmyk" else "srgb"
        image = image.icc_transform("srgb", embedded=True, input_profile=fallback, depth=8)
    elif image.interpretation in _OTHER_SPACES:
        image = image.colourspace("srgb")
    else:
        if image.format not in ("uchar", "ushort"):
            image = _stretched(image)
        target = "srgb" if _coloured(image) else "b-w"
        image = image.copy(interpretation=_wide(target, image)).colourspace(target)
    if image.hasalpha():
        image = image.flatten(background=[255] * (image.bands - 1))
    return image


def _coloured(image: pyvips.Image) -> bool:
    return image.bands - image.hasalpha() >= 3


def _wide(interpretation: str, image: pyvips.Image) -> str:
    # A 16-bit image must say so, or colourspace() would not bring it down to 8 bits.
    if image.format == "ushort":
        return {"srgb": "rgb16", "b-w": "grey16"}[interpretation]
    return interpretation


def _stretched(image: pyvips.Image) -> pyvips.Image:
    """A 32-bit or floating-point image stretched to 8 bits over the values it uses."""
    image = image.copy_memory()  # read three times; a file is read in sequence only once
    low, high = image.min(), image.max()
    scale = 255 / (high - low) if high > low else 1.0
    return ((image - low) * scale).cast("uchar")


def _foreign_profile(image: pyvips.Image) -> bool:
    """Whether the image carries a colour profile other than sRGB. Converting sRGB to sRGB
    would change nothing and cost a third of the tiling time."""
    if not image.get_typeof("icc-profile-data"):
        return False
    from io import BytesIO

    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(BytesIO(image.get("icc-profile-data")))
        description = profile.profile.profile_description or ""
    except (OSError, ValueError):
        return True  # unreadable here: let libvips decide what it means
    return "srgb" not in description.lower()


def _turned(image: pyvips.Image, rotation: int) -> pyvips.Image:
    """The image after its EXIF orientation, then `rotation` degrees clockwise."""
    orientation = image.get("orientation") if image.get_typeof("orientation") else 1
    if orientation in (0, 1) and rotation == 0:
        return image
    image = image.autorot()
    if rotation:
        image = image.rot(f"d{rotation}")
    return image.copy_memory()  # once, not in every reader of the tree


def _pages(count: int) -> str:
    return f"{count} page{'s' if count != 1 else ''}"


def _reason(exc: Exception) -> str:
    """libvips' own words, without its call stack: "VipsJpeg: premature end of JPEG image"."""
    detail = getattr(exc, "detail", "") or ""
    lines = [line.strip() for line in detail.splitlines() if line.strip()]
    if lines:
        return "; ".join(dict.fromkeys(lines))
    # Some loaders say nothing but that they failed ("unable to call VipsForeignLoadPngFile").
    return f"a damaged file (libvips: {getattr(exc, 'message', '') or exc})"


# --------------------------------------------------------------------------------------------
# What a tree holds (no I/O)


def scale_factors(width: int, height: int) -> tuple[int, ...]:
    """1, 2, 4, ... up to the factor at which the whole image fits in one tile."""
    factors = [1]
    while max(level_size(width, height, factors[-1])) > TILE_SIZE:
        factors.append(factors[-1] * 2)
    return tuple(factors)


def level_size(width: int, height: int, factor: int) -> tuple[int, int]:
    """The image's size at `factor`, rounded up, as IIIF clients compute it."""
    return math.ceil(width / factor), math.ceil(height / factor)


def _sizes(width: int, height: int, factors: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """The sizes offered, smallest first: reduced levels up to LARGEST_SIZE, a thumbnail (the
    smallest level when it fits THUMBNAIL_SIZE, else the page scaled to fit it), and the page
    WIDTH_ONLY_SIZE wide (unless that would enlarge it)."""
    levels = [level_size(width, height, f) for f in factors[1:]]
    sizes = {size for size in levels if max(size) <= LARGEST_SIZE}
    smallest = level_size(width, height, factors[-1])
    if max(smallest) <= THUMBNAIL_SIZE:
        sizes.add(smallest)
    else:
        scale = THUMBNAIL_SIZE / max(width, height)
        sizes.add((max(1, round(width * scale)), max(1, round(height * scale))))
    by_width = _width_only(width, height)
    if by_width is not None:
        sizes.add(by_width)
    return tuple(sorted(sizes))


def _width_only(width: int, height: int) -> tuple[int, int] | None:
    """The size a `full/90,` request gets, or None when the page is not wider than that."""
    if width <= WIDTH_ONLY_SIZE:
        return None
    return WIDTH_ONLY_SIZE, max(1, round(height * WIDTH_ONLY_SIZE / width))


def _tiles(width: int, height: int, factors: tuple[int, ...]) -> Iterator[tuple[int, str, str]]:
    """(factor, region, size) of every tile, as a client computes them from info.json."""
    for factor in factors:
        span = TILE_SIZE * factor
        for y in range(0, height, span):
            for x in range(0, width, span):
                w, h = min(span, width - x), min(span, height - y)
                region = f"{x},{y},{w},{h}"
                yield factor, region, f"{math.ceil(w / factor)},{math.ceil(h / factor)}"


def _info(facts: Derivative, service_id: str) -> dict:
    return {
        "@context": CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": PROTOCOL,
        "profile": "level0",
        "width": facts.width,
        "height": facts.height,
        "sizes": [{"width": w, "height": h} for w, h in facts.sizes],
        "tiles": [
            {"width": TILE_SIZE, "height": TILE_SIZE, "scaleFactors": list(facts.scale_factors)}
        ],
    }


def _facts(width: int, height: int) -> Derivative:
    factors = scale_factors(width, height)
    sizes = _sizes(width, height, factors)
    return Derivative(width, height, sizes, thumbnail_of(sizes), factors)


# --------------------------------------------------------------------------------------------
# Writing a tree


def write(image: pyvips.Image, folder: Path, service_id: str) -> Derivative:
    """Write the level-0 tree of `image` into `folder` (replacing what is there).

    `image` is read several times at once: give one held in memory (as `page_image` returns).
    `service_id` is the id written in info.json (`retarget` changes it later).
    """
    import pyvips

    folder = Path(folder)
    facts = _facts(image.width, image.height)
    folder.parent.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    build = Path(
        tempfile.mkdtemp(prefix=f".{folder.name}{_BUILDING}{os.getpid()}-", dir=folder.parent)
    )
    try:
        tree = build / "tree"
        _write_tree(image, tree, build / "sizes", facts)
        write_atomically(tree / "info.json", _info_bytes(facts, service_id))
        _swap(tree, folder, build / "old")
    except pyvips.Error as exc:
        raise IngestError(str(folder), STEP, f"cannot write the images: {_reason(exc)}")
    except OSError as exc:
        raise IngestError(str(folder), STEP, f"cannot write the images: {exc.strerror or exc}")
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return facts


def _write_tree(image: pyvips.Image, tree: Path, staging: Path, facts: Derivative) -> None:
    # libvips keeps about one core of two busy writing tiles: the full-size image and the
    # sizes are made meanwhile in another thread (pyvips lets the GIL go in libvips calls).
    staging.mkdir()
    with ThreadPoolExecutor(1) as pool:
        sizes = pool.submit(_write_sizes, image, staging, facts)
        _dzsave(image, tree)
        sizes.result()
    full = tree / "full"
    for source in staging.iterdir():
        target = full / source.stem / IMAGE_NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)  # over libvips' own smallest level, if it wrote one
    by_width = _width_only(facts.width, facts.height)
    if by_width is not None:
        target = full / f"{by_width[0]}," / IMAGE_NAME
        target.parent.mkdir(parents=True)
        shutil.copyfile(full / "{},{}".format(*by_width) / IMAGE_NAME, target)
    _complete(image, tree, facts)
    _prune(tree, facts)


def _dzsave(image: pyvips.Image, tree: Path) -> None:
    image.dzsave(
        str(tree),
        layout="iiif3",
        tile_size=TILE_SIZE,
        overlap=0,
        depth="onetile",
        suffix=f".jpg[Q={QUALITY},keep=none]",
    )


def _write_sizes(image: pyvips.Image, staging: Path, facts: Derivative) -> None:
    """`max.jpg` and `{w},{h}.jpg` for each size, into `staging`. Levels are averaged down
    from the next larger one, as libvips makes its tiles' levels; the thumbnail, when it is
    no level, is resampled from the smallest level larger than it."""
    _save(image, staging / "max.jpg")
    factors = {level_size(image.width, image.height, f): f for f in facts.scale_factors}
    source, at = image, 1  # the last level made, and its factor
    for width, height in reversed(facts.sizes):  # largest first
        factor = factors.get((width, height))
        if factor == 1:
            shutil.copyfile(staging / "max.jpg", staging / f"{width},{height}.jpg")
            continue
        if factor:
            source, at = _level(source, factor // at), factor
            made = source
        else:
            made = source.thumbnail_image(width, height=height, size="force")
        _save(made, staging / f"{width},{height}.jpg")


def _level(image: pyvips.Image, factor: int) -> pyvips.Image:
    """The image averaged down `factor` times, its size rounded up, as IIIF levels are."""
    return image.shrink(factor, factor, ceil=True).copy_memory()


def _save(image: pyvips.Image, path: Path) -> None:
    image.jpegsave(str(path), Q=QUALITY, keep="none")


def _complete(image: pyvips.Image, tree: Path, facts: Derivative) -> None:
    """Add the tiles libvips did not write: the smallest level under its region path (libvips
    writes it as a size), and any level a libvips version leaves out."""
    missing: dict[int, list[tuple[str, str]]] = {}  # factor: [(region, size)]
    for factor, region, size in _tiles(facts.width, facts.height, facts.scale_factors):
        target = tree / region / size / IMAGE_NAME
        if target.exists():
            continue
        whole = tree / "full" / ("max" if factor == 1 else size) / IMAGE_NAME
        if region == f"0,0,{facts.width},{facts.height}" and whole.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(whole, target)
        else:
            missing.setdefault(factor, []).append((region, size))
    for factor, cuts in missing.items():
        _cut(image, tree, factor, cuts)


def _cut(image: pyvips.Image, tree: Path, factor: int, cuts: list[tuple[str, str]]) -> None:
    """Cut tiles (region, size) of the level at `factor` from the image."""
    level = _level(image, factor) if factor > 1 else image
    for region, size in cuts:
        x, y = (int(v) // factor for v in region.split(",")[:2])
        w, h = (int(v) for v in size.split(","))
        target = tree / region / size / IMAGE_NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        _save(level.crop(x, y, w, h), target)


def _prune(tree: Path, facts: Derivative) -> None:
    """Remove what info.json does not offer, so that it describes the tree exactly."""
    wanted: dict[str, set[str]] = {"full": {"max"} | {f"{w},{h}" for w, h in facts.sizes}}
    by_width = _width_only(facts.width, facts.height)
    if by_width is not None:
        wanted["full"].add(f"{by_width[0]},")
    for _, region, size in _tiles(facts.width, facts.height, facts.scale_factors):
        # A clipped edge tile can have the same region at two scale factors, in two sizes.
        wanted.setdefault(region, set()).add(size)
    for entry in tree.iterdir():
        if entry.name == "info.json":
            continue
        if entry.name not in wanted or not entry.is_dir():
            _remove(entry)
            continue
        for size in entry.iterdir():
            if size.name not in wanted[entry.name]:
                _remove(size)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


def _info_bytes(facts: Derivative, service_id: str) -> bytes:
    return (json.dumps(_info(facts, service_id), indent=2) + "\n").encode("utf-8")


def _swap(tree: Path, folder: Path, old: Path) -> None:
    """Put the new tree in place of `folder` by renames: a reader finds the old tree or the new
    one, never half of one (for an instant none, which a missing info.json tells)."""
    if folder.exists():
        os.rename(folder, old)
    os.rename(tree, folder)


def _sweep(folder: Path) -> None:
    """Remove what a build of `folder` killed part-way left: its hidden folder, named after
    the process that made it, which has ended."""
    for leftover in folder.parent.glob(f".{folder.name}{_BUILDING}*"):
        pid = leftover.name.removeprefix(f".{folder.name}{_BUILDING}").split("-")[0]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# An existing tree


def read(folder: Path) -> Derivative:
    """The facts of an existing tree, from its info.json."""
    return facts_of(_load_info(Path(folder)))


def retarget(folder: Path, service_id: str) -> None:
    """Rewrite info.json's id (the base URL changed); nothing else changes."""
    folder = Path(folder)
    info = _load_info(folder)
    info["id"] = service_id
    write_atomically(folder / "info.json", (json.dumps(info, indent=2) + "\n").encode("utf-8"))


def _load_info(folder: Path) -> dict:
    """The tree's info.json, as archive.derivatives reads it; IngestError when it has none."""
    try:
        info = load_info(folder)
    except (OSError, ValueError) as exc:
        raise IngestError(str(folder), STEP, f"an unreadable info.json: {exc}")
    if info is None:
        raise IngestError(str(folder), STEP, "no info.json: the images were never made")
    return info
