"""Ingest speed: 1,000 generated 3000×2000 JPEGs with EXIF.

Prints files per second with 1 and 2 workers, the peak memory of the whole run (main process and
workers together), the rate of a second run over the unchanged folder, and, in the same run, the
rate of `sha256sum` plus `cp` over the same files: the floor any ingest that hashes and copies
must stand on. The corpus is generated once into --corpus (default: a temporary folder).
`--only second-run` measures the second run alone, over a home ingested once without IIIF images
(which a second run never reads).

    python benchmarks/ingest.py [--files 1000] [--corpus DIR] [--only second-run]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.samples import make_photo  # noqa: E402

ARCHIVE = [sys.executable, "-m", "archive"]


def _one(args: tuple[Path, int]) -> None:
    folder, n = args
    make_photo(
        folder / f"photo-{n:05d}.jpg",
        width=3000,
        height=2000,
        seed=n,
        taken=f"20{n % 24:02d}-0{1 + n % 9}-1{n % 10}T09:30:00",
        gps=(14.35 + (n % 50) / 100, 108.0 - (n % 30) / 100),
        artist="Lưu trữ lịch sử tỉnh Kon Tum",
    )


def make_corpus(folder: Path, files: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    missing = [(folder, n) for n in range(files) if not (folder / f"photo-{n:05d}.jpg").exists()]
    if missing:
        print(f"generating {len(missing)} photos in {folder} …", flush=True)
        with ProcessPoolExecutor(os.cpu_count()) as pool:
            list(pool.map(_one, missing, chunksize=8))


class PeakMemory:
    """Samples the resident memory of a process and all its descendants; keeps the peak sum."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.running = pid, 0, True
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while self.running:
            self.peak = max(self.peak, sum(_rss(p) for p in _tree(self.pid)))
            time.sleep(0.02)

    def stop(self) -> int:
        self.running = False
        self.thread.join()
        return self.peak


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def timed(command: list[str]) -> tuple[float, int, int]:
    """Seconds, peak bytes and exit code of a command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    memory = PeakMemory(process.pid)
    code = process.wait()
    return time.perf_counter() - start, memory.stop(), code


def floor(corpus: Path, scratch: Path) -> float:
    files = sorted(str(p) for p in corpus.glob("*.jpg"))
    target = scratch / "floor"
    target.mkdir()
    start = time.perf_counter()
    for at in range(0, len(files), 200):
        subprocess.run(["sha256sum", *files[at : at + 200]], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cp", *files[at : at + 200], str(target)], check=True)
    return time.perf_counter() - start


def ingest(corpus: Path, home: Path, workers: int) -> tuple[float, int, int]:
    subprocess.run([*ARCHIVE, "--home", str(home), "init"], check=True, stdout=subprocess.DEVNULL)
    command = [*ARCHIVE, "--home", str(home), "ingest", str(corpus), "--workers", str(workers)]
    return timed(command)


def second_run(corpus: Path, home: Path, files: int) -> None:
    command = [*ARCHIVE, "--home", str(home), "ingest", str(corpus)]
    seconds, peak, code = timed([*command, "--workers", "2"])
    print(
        f"second  run, unchanged folder   {files / seconds:7.1f} files/s  ({seconds:.2f} s, "
        f"peak {peak / 1e6:.0f} MB, exit {code})"
    )
    # Start-up: an ingest of an empty folder opens the archive, takes the lock and writes a run
    # to the journal, as the second run does, with no file to look at.
    empty = home.parent / "empty"
    empty.mkdir(exist_ok=True)
    startup, _, _ = timed([*ARCHIVE, "--home", str(home), "ingest", str(empty)])
    print(
        f"        of which start-up       {startup:.2f} s (an ingest of an empty folder); "
        f"the rest runs at {files / max(seconds - startup, 1e-3):.0f} files/s"
    )
    print(f"        load average            {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, help="where the generated photos are kept")
    parser.add_argument("--only", choices=["second-run"], help="measure only this part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as scratch_name:
        scratch = Path(scratch_name)
        corpus = args.corpus or scratch / "corpus"
        make_corpus(corpus, args.files)
        files = len(list(corpus.glob("*.jpg")))
        size = sum(p.stat().st_size for p in corpus.glob("*.jpg")) / 1e6
        print(f"corpus: {files} JPEGs of 3000×2000 with EXIF and GPS, {size:.0f} MB")
        if args.only == "second-run":
            os.environ["ARCHIVE_IMAGES_AT_INGEST"] = "false"  # for the first run only
            ingest(corpus, scratch / "home-2", 2)
            del os.environ["ARCHIVE_IMAGES_AT_INGEST"]
            second_run(corpus, scratch / "home-2", files)
            return
        floor(corpus, scratch)  # once to warm the page cache for everyone alike
        shutil.rmtree(scratch / "floor")
        base = floor(corpus, scratch)
        print(f"floor   sha256sum + cp          {files / base:7.1f} files/s  ({base:.2f} s)")
        rates = {}
        for workers in (1, 2):
            home = scratch / f"home-{workers}"
            seconds, peak, code = ingest(corpus, home, workers)
            rates[workers] = files / seconds
            print(
                f"ingest  {workers} worker{'s' if workers > 1 else ' '}               "
                f"{rates[workers]:7.1f} files/s  ({seconds:.2f} s, peak {peak / 1e6:.0f} MB, "
                f"exit {code})"
            )
        second_run(corpus, scratch / "home-2", files)
        print(
            f"ratio   floor / ingest (2 workers) = {files / base / rates[2]:.2f}×; "
            f"speed-up 1 → 2 workers = {rates[2] / rates[1]:.2f}×"
        )


if __name__ == "__main__":
    main()
