"""Exporting 1,000 items as BagIt bags (`archive export bag --all`) against copying their
masters with `cp`, in the same run. Target: within 2× of `cp`.

The items are generated photos with EXIF (as benchmarks/ingest.py makes them, 1500×1000 by
default), ingested once without IIIF images (a bag takes none). The bags hold what `cp` copies
and more: each item's Dublin Core, record and IIIF manifest, and a SHA-256 and a SHA-512 of
every file, computed as it is written (each master's SHA-256 checked against the one recorded at
ingest). Beside `cp`, the time of `sha256sum` and `sha512sum` over the same files: the digests
every bag holds, by the fastest tools the machine has.

    python benchmarks/bags.py [--files 1000] [--width 1500] [--height 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.samples import make_photo  # noqa: E402

ARCHIVE = [sys.executable, "-m", "archive"]
MAX_RATIO = 2.0


def _one(args: tuple[Path, int, int, int]) -> None:
    folder, n, width, height = args
    make_photo(
        folder / f"photo-{n:05d}.jpg",
        width=width,
        height=height,
        seed=n,
        taken=f"20{n % 24:02d}-0{1 + n % 9}-1{n % 10}T09:30:00",
        artist="Lưu trữ lịch sử tỉnh Kon Tum",
    )


def build(root: Path, files: int, width: int, height: int) -> Path:
    """An archive home of `files` ingested photos, made once under `root`."""
    home, corpus = root / "home", root / "photos"
    marker = root / "built-bags.txt"
    wanted = f"{files} {width}x{height}"
    if marker.exists() and marker.read_text(encoding="utf-8") == wanted:
        return home
    shutil.rmtree(home, ignore_errors=True)
    corpus.mkdir(parents=True, exist_ok=True)
    print(f"generating and ingesting {files} photos of {width}×{height} …", flush=True)
    jobs = [(corpus, n, width, height) for n in range(files)]
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        list(pool.map(_one, jobs, chunksize=8))
    env = {**os.environ, "ARCHIVE_IMAGES_AT_INGEST": "false"}
    subprocess.run([*ARCHIVE, "--home", str(home), "init"], check=True, env=env)
    ingest = [*ARCHIVE, "--home", str(home), "ingest", str(corpus), "--workers", "2"]
    subprocess.run(ingest, check=True, env=env, stdout=subprocess.DEVNULL)
    marker.write_text(wanted, encoding="utf-8")
    return home


def masters(home: Path) -> list[str]:
    with sqlite3.connect(home / "archive.db") as database:
        rows = database.execute("SELECT stored_path FROM masters ORDER BY id").fetchall()
    return [str(home / path) for (path,) in rows]


def copy_with_cp(files: list[str], target: Path) -> float:
    target.mkdir()
    os.sync()  # each step timed with no other's writes still going to the disk
    started = time.perf_counter()
    for at in range(0, len(files), 200):
        subprocess.run(["cp", *files[at : at + 200], str(target)], check=True)
    return time.perf_counter() - started


def digest_with_coreutils(files: list[str]) -> float:
    started = time.perf_counter()
    for tool in ("sha256sum", "sha512sum"):
        subprocess.run([tool, *files], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def export(home: Path, target: Path) -> float:
    os.sync()
    started = time.perf_counter()
    command = [*ARCHIVE, "--home", str(home), "export", "bag", "--all", "--out", str(target)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--width", type=int, default=1500)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="build the archive here once, and reuse it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bags-") as temporary:
        root = options.keep or Path(temporary)
        home = build(root, options.files, options.width, options.height)
        files = masters(home)
        size = sum(os.path.getsize(path) for path in files)
        scratch = Path(tempfile.mkdtemp(prefix="bags-run-", dir=root))
        try:
            copy_with_cp(
                files, scratch / "warm"
            )  # the masters read once: both runs find them cached
            base = copy_with_cp(files, scratch / "cp")
            digests = digest_with_coreutils(files)
            seconds = export(home, scratch / "bags")
        finally:
            shutil.rmtree(scratch)
    ratio = seconds / base
    print(f"{len(files)} masters, {size / 1e6:,.0f} MB")
    print(f"cp: {base:.2f} s ({size / 1e6 / base:,.0f} MB/s)")
    print(f"sha256sum and sha512sum: {digests:.2f} s")
    print(
        f"archive export bag --all: {seconds:.2f} s ({len(files) / seconds:,.0f} bags/s), "
        f"{ratio:.1f}× cp, {seconds / (base + digests):.1f}× cp and both digests"
    )
    met = ratio <= MAX_RATIO
    print(f"target within {MAX_RATIO:g}× of cp: {'met' if met else 'MISSED'}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
