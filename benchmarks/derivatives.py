"""Derivative speed: IIIF level-0 trees of a 6000×4000 photo and a 600 dpi A4 scan.

For each input, `tiles.write(tiles.page_image(...))` (decode, colours, tiles, sizes, full/max,
info.json, swapped into place) against the floor: a bare libvips `dzsave(layout="iiif3",
tile_size=512)` of the same file at the same JPEG quality, which writes the tiles and nothing
else. The two run in turns, best of 3 each. Prints tiles written, seconds, tiles/s, CPU seconds
(all threads) and the ratios ours/floor, then where our time goes. The inputs are generated into
--corpus (default: a temporary folder).

    python benchmarks/derivatives.py [--runs 3] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.samples import make_page, make_photo  # noqa: E402
from ingest import tiles  # noqa: E402

PAGE_TEXT = "\n".join(
    [
        "ỦY BAN NHÂN DÂN TỈNH KON TUM",
        "KẾ HOẠCH",
        "Thực hiện Chương trình truyền thông về quyền con người giai đoạn 2023 - 2028",
        "",
        *[
            "Bảo đảm quyền con người, quyền công dân là nhiệm vụ của cả hệ thống chính trị; "
            "thông tin về quyền con người được số hóa, kết nối và công bố trên môi trường mạng, "
            "bằng tiếng dân tộc thiểu số, tiếng nước ngoài và trên các nền tảng số."
        ]
        * 6,
    ]
)


def make_inputs(folder: Path) -> list[tuple[str, Path, str]]:
    """(label, path, media type) of each input, generated once into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    photo, scan = folder / "photo-6000x4000.jpg", folder / "a4-600dpi.tif"
    if not photo.exists():
        print(f"generating {photo.name} …", flush=True)
        make_photo(photo, width=6000, height=4000, seed=7, quality=90)
    if not scan.exists():
        print(f"generating {scan.name} …", flush=True)
        page = make_page(PAGE_TEXT, dpi=600, seed=7)
        page.save(scan, "TIFF", compression="tiff_lzw", dpi=(600, 600))
    return [
        ("6000×4000 JPEG q90 photo", photo, "image/jpeg"),
        ("4961×7016 LZW TIFF grey scan", scan, "image/tiff"),
    ]


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system, all threads of this process
    tree: Path | None = None  # the output of the fastest run

    def run(self, work: Callable[[Path], Any], out: Path) -> Any:
        """Run `work` into a fresh folder `out`, timed; return what it returns."""
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        cpu, wall = _cpu(), time.perf_counter()
        result = work(out)
        self.wall.append(time.perf_counter() - wall)
        self.cpu.append(_cpu() - cpu)
        if self.wall[-1] == min(self.wall):
            self.tree = out / "tree"
        return result


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def tile_count(tree: Path) -> int:
    """The tiles in a tree: images under a region path, not under full/."""
    return sum(1 for p in tree.glob("*/*/0/default.jpg") if p.parts[-4] != "full")


def floor(path: Path) -> Callable[[Path], None]:
    import pyvips

    def work(out: Path) -> None:
        pyvips.Image.new_from_file(str(path)).dzsave(
            str(out / "tree"), layout="iiif3", tile_size=512, suffix=f".jpg[Q={tiles.QUALITY}]"
        )

    return work


def ours(path: Path, media_type: str) -> Callable[[Path], None]:
    def work(out: Path) -> None:
        tiles.write(tiles.page_image(path, media_type), out / "tree", "http://localhost/iiif/x")

    return work


def tiles_section(corpus: Path, scratch: Path, runs: int) -> None:
    """Our trees against the bare dzsave floor, for each input."""
    import pyvips

    # libvips caches operations: a second run would find the decoded file in its cache and
    # flatter whoever runs after the first. Every run here decodes from the file.
    pyvips.cache_set_max(0)
    print(f"tiles: best of {runs}, JPEG quality {tiles.QUALITY}, libvips {_libvips()}")
    for label, path, media_type in make_inputs(corpus):
        timings = {"floor": Timing(), "ours": Timing()}
        works = {"floor": floor(path), "ours": ours(path, media_type)}
        for n in range(runs):  # in turns, so that a busy moment of the machine hits both
            for name, timing in timings.items():
                timing.run(works[name], scratch / name / f"run-{n}")
        for name, timing in timings.items():
            count = tile_count(timing.tree)
            print(
                f"  {label:30} {name:5} {count:4} tiles  {min(timing.wall):5.2f} s  "
                f"{count / min(timing.wall):6.1f} tiles/s  (cpu {min(timing.cpu):.2f} s)"
            )
        base, mine = timings["floor"], timings["ours"]
        print(
            f"  {'':30} ratio ours/floor: time {min(mine.wall) / min(base.wall):.2f}, "
            f"cpu {min(mine.cpu) / min(base.cpu):.2f}"
        )
        _breakdown(path, media_type, runs)


def _breakdown(path: Path, media_type: str, runs: int) -> None:
    """Where our time goes: the page decoded into memory, then the tree written from it, of
    which the full-size image and the sizes, made in a second thread while libvips tiles."""
    decode, write, extra = Timing(), Timing(), Timing()
    with tempfile.TemporaryDirectory(prefix="derivatives-bench-") as name:
        scratch = Path(name)
        for n in range(runs):
            image = decode.run(functools.partial(_decode, path, media_type), scratch / "d")
            facts = write.run(functools.partial(_write, image), scratch / f"w{n}")
            extra.run(functools.partial(tiles._write_sizes, image, facts=facts), scratch / f"s{n}")
    print(
        f"  {'':30} of which page_image {min(decode.wall):.2f} s (cpu {min(decode.cpu):.2f}), "
        f"write {min(write.wall):.2f} s (cpu {min(write.cpu):.2f});\n"
        f"  {'':30} full/max and sizes alone {min(extra.wall):.2f} s (cpu {min(extra.cpu):.2f})"
    )


def _decode(path: Path, media_type: str, _out: Path):
    return tiles.page_image(path, media_type)


def _write(image, out: Path) -> tiles.Derivative:
    return tiles.write(image, out / "tree", "http://localhost/iiif/x")


def _libvips() -> str:
    import pyvips

    return ".".join(str(pyvips.version(n)) for n in range(3))


def manifest_section(scratch: Path, count: int, runs: int) -> None:
    """Time to build the manifest of an exhibition of `count` one-page photos, from the database
    and the pages' info.json, as `archive exhibition build` does (the schema check apart)."""
    import hashlib

    from archive import derivatives
    from archive import items as item_service
    from archive.home import Archive
    from archive.records import NewFile, NewItem
    from archive.work import UnitOfWork
    from exhibitions import publish
    from exhibitions.definition import Entry, Exhibition, Section
    from iiif import conformance

    archive = Archive.create(scratch / "home")
    news, info = [], {"width": 6000, "height": 4000, "tiles": [{"scaleFactors": [1, 2, 4, 8, 16]}]}
    info["sizes"] = [{"width": 375, "height": 250}, {"width": 750, "height": 500}]
    for n in range(count):
        sha = hashlib.sha256(str(n).encode()).hexdigest()
        stored = f"masters/{sha[:2]}/{sha[2:4]}/{sha}.jpg"
        file = NewFile(sha, 1, "image/jpeg", f"/in/{n}.jpg", stored, ((6000, 4000),), f"/in/{n}", 0)
        title = {"vi": f"Ảnh số {n}", "en": f"Photograph {n}"}
        news.append(NewItem(sha, "photo", [file], title=title, rights="", access="public"))
        folder = derivatives.folder(archive.home, sha, 0)
        folder.mkdir(parents=True)
        (folder / "info.json").write_text(json.dumps(info))
    with archive.session() as session:
        work = UnitOfWork(archive, session, "build", "build")  # unfinished: the rows alone
        ids = [item.accession_id for _, item in item_service.register(work, news, "KT")]
    entries = [Entry(item=i, caption={"vi": "Chú thích", "en": "Caption"}) for i in ids]
    sections = tuple(
        Section(title={"vi": f"Phần {s + 1}"}, entries=tuple(entries[s::5])) for s in range(5)
    )
    shown = Exhibition(
        id="nam-tram-anh", kind="photo", title={"vi": "Năm trăm ảnh"}, sections=sections
    )
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        with archive.session() as session:
            manifest = publish.exhibition_manifest(archive, session, shown)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    problems = conformance.problems(manifest)
    checked = time.perf_counter() - started
    archive.close()
    print(
        f"\nexhibition manifest, {count} items: {len(manifest['items'])} canvases, "
        f"{len(json.dumps(manifest)) / 1e6:.1f} MB"
    )
    print(
        f"  build (database + info.json + iiif-prezi3), best of {runs}: {min(timings):.3f} s "
        f"(target < 1 s)"
    )
    print(f"  schema check: {checked:.2f} s, {len(problems)} problems")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, help="where the generated inputs are kept")
    parser.add_argument("--items", type=int, default=500, help="items in the exhibition")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="derivatives-bench-") as scratch_name:
        scratch = Path(scratch_name)
        tiles_section(args.corpus or scratch / "corpus", scratch / "out", args.runs)
        manifest_section(scratch, args.items, args.runs)


if __name__ == "__main__":
    main()
