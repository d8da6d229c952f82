"""Ingest speed: 1,000 generated 3000×2000 JPEGs with EXIF, against two floors.

The ingest is two things, judged apart:

- the core ingest (discover, identify, fingerprint, metadata, copy, register), run with IIIF
  images off (`ARCHIVE_IMAGES_AT_INGEST=false`) with 1 and 2 workers. Its floor is `sha256sum`
  plus `cp` over the same files: what any ingest that hashes and copies must stand on. Target:
  within 3× of it with 2 workers.
- the full ingest, IIIF images made at ingest (the default), with 2 workers. Making the images
  decodes and tiles every photo, work `sha256sum` and `cp` never do, so it gets a floor of its
  own: sha256sum + cp plus a bare libvips `dzsave(layout="iiif3")` of every photo (the floor of
  benchmarks/derivatives.py) in 2 processes, as the ingest has 2 workers.

Also printed: the peak memory of each run (main process and workers together; target under
500 MB over all runs) and the rate of a second run over the unchanged folder (target above
2,000 files/s), with its start-up. A last line per target says met or MISSED; the exit status is
1 if any is missed. The corpus is generated once into --corpus (default: a temporary folder).
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
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.samples import make_photo  # noqa: E402

ARCHIVE = [sys.executable, "-m", "archive"]
WORKERS = 2  # the machine the targets are set for has 2 cores
MAX_RATIO, MAX_PEAK_MB, MIN_SECOND_RUN = 3.0, 500, 2000


class Run(NamedTuple):
    seconds: float
    peak: int  # bytes: the process and all its descendants together
    code: int


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


def timed(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Seconds, peak bytes and exit code of a command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env)
    memory = PeakMemory(process.pid)
    code = process.wait()
    return Run(time.perf_counter() - start, memory.stop(), code)


def images_env(images: bool) -> dict[str, str]:
    """This process's environment with IIIF images at ingest set on or off, for a subprocess
    only: os.environ itself is left alone, so no later run inherits the setting by mistake."""
    return {**os.environ, "ARCHIVE_IMAGES_AT_INGEST": "true" if images else "false"}


def floor(corpus: Path, scratch: Path) -> float:
    files = sorted(str(p) for p in corpus.glob("*.jpg"))
    target = scratch / "floor"
    target.mkdir()
    start = time.perf_counter()
    for at in range(0, len(files), 200):
        subprocess.run(["sha256sum", *files[at : at + 200]], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cp", *files[at : at + 200], str(target)], check=True)
    return time.perf_counter() - start


def _one_libvips_thread() -> None:
    # As the ingest's workers do (ingest/workers.py): the processes are the parallelism.
    # Read when libvips first loads, which is in _dzsave, so in the worker, never here: libvips'
    # thread pool does not survive the fork that starts a worker.
    os.environ["VIPS_CONCURRENCY"] = "1"


def _dzsave(job: tuple[Path, Path]) -> None:
    from benchmarks.derivatives import floor as dzsave_floor  # loads pyvips

    photo, out = job
    out.mkdir(parents=True)
    dzsave_floor(photo)(out)


def images_floor(corpus: Path, scratch: Path) -> float:
    """Seconds of a bare dzsave(layout="iiif3") of every photo, in WORKERS processes."""
    out = scratch / "dzsave"
    jobs = [(photo, out / photo.stem) for photo in sorted(corpus.glob("*.jpg"))]
    start = time.perf_counter()
    with ProcessPoolExecutor(WORKERS, initializer=_one_libvips_thread) as pool:
        list(pool.map(_dzsave, jobs, chunksize=4))
    seconds = time.perf_counter() - start
    shutil.rmtree(out)  # thousands of tiles per photo: not kept on the disk the ingests share
    return seconds


def ingest(corpus: Path, home: Path, workers: int, images: bool) -> Run:
    env = images_env(images)
    init = [*ARCHIVE, "--home", str(home), "init"]
    subprocess.run(init, check=True, stdout=subprocess.DEVNULL, env=env)
    command = [*ARCHIVE, "--home", str(home), "ingest", str(corpus), "--workers", str(workers)]
    return timed(command, env)


def show(label: str, files: int, run: Run) -> None:
    print(
        f"{label:32}{files / run.seconds:7.1f} files/s  ({run.seconds:.2f} s, "
        f"peak {run.peak / 1e6:.0f} MB, exit {run.code})"
    )


def second_run(corpus: Path, home: Path, files: int) -> Run:
    run = timed([*ARCHIVE, "--home", str(home), "ingest", str(corpus), "--workers", "2"])
    show("second  run, unchanged folder", files, run)
    # Start-up: an ingest of an empty folder opens the archive, takes the lock and writes a run
    # to the journal, as the second run does, with no file to look at.
    empty = home.parent / "empty"
    empty.mkdir(exist_ok=True)
    startup = timed([*ARCHIVE, "--home", str(home), "ingest", str(empty)]).seconds
    print(
        f"        of which start-up       {startup:.2f} s (an ingest of an empty folder); "
        f"the rest runs at {files / max(run.seconds - startup, 1e-3):.0f} files/s"
    )
    print(f"        load average            {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    return run


def core_section(corpus: Path, scratch: Path, files: int, base: float) -> list[Run]:
    """The core ingest, IIIF images off, with 1 and 2 workers, against sha256sum + cp."""
    runs = []
    for workers in (1, WORKERS):
        runs.append(ingest(corpus, scratch / f"core-{workers}", workers, images=False))
        show(f"core    {workers} worker{'s' if workers > 1 else ''}", files, runs[-1])
    one, two = runs
    print(
        f"ratio   core / floor ({WORKERS} workers) = {two.seconds / base:.2f}×; "
        f"speed-up 1 → {WORKERS} workers = {one.seconds / two.seconds:.2f}×"
    )
    return runs


def full_section(corpus: Path, scratch: Path, files: int, base: float) -> Run:
    """The full ingest, IIIF images made at ingest, against sha256sum + cp + bare dzsave."""
    run = ingest(corpus, scratch / "full", WORKERS, images=True)
    show(f"full    {WORKERS} workers, IIIF images", files, run)
    tiles = images_floor(corpus, scratch)
    both = base + tiles
    print(
        f"floor   + dzsave iiif3 ({WORKERS} procs) {files / both:7.1f} files/s  ({both:.2f} s, "
        f"of which dzsave {tiles:.2f} s)"
    )
    print(f"ratio   full / floor with images = {run.seconds / both:.2f}×")
    return run


def verdict(label: str, met: bool) -> bool:
    print(f"target  {label:52} {'met' if met else 'MISSED'}")
    return met


def judge(core: float, runs: list[Run], second: Run, files: int) -> bool:
    """One line per target; True when all are met. A run that failed counts as a miss: a
    crashed ingest would otherwise look fast."""
    peak = max(run.peak for run in runs) / 1e6
    results = [
        verdict(f"core ingest ≤ {MAX_RATIO:.0f}× the floor ({core:.2f}×)", core <= MAX_RATIO),
        verdict(
            f"peak memory < {MAX_PEAK_MB} MB over all runs ({peak:.0f} MB)", peak < MAX_PEAK_MB
        ),
        second_run_verdict(second, files),
        verdict("every run exited 0", all(run.code == 0 for run in runs)),
    ]
    return all(results)


def second_run_verdict(second: Run, files: int) -> bool:
    speed = files / second.seconds
    return verdict(f"second run > {MIN_SECOND_RUN:,} files/s ({speed:.0f})", speed > MIN_SECOND_RUN)


def only_second_run(corpus: Path, scratch: Path, files: int) -> bool:
    first = ingest(corpus, scratch / "core-2", WORKERS, images=False)
    second = second_run(corpus, scratch / "core-2", files)
    met = second_run_verdict(second, files)
    return verdict("every run exited 0", first.code == second.code == 0) and met


def measure(corpus: Path, scratch: Path, files: int) -> bool:
    floor(corpus, scratch)  # once to warm the page cache for everyone alike
    shutil.rmtree(scratch / "floor")
    base = floor(corpus, scratch)
    print(f"floor   sha256sum + cp          {files / base:7.1f} files/s  ({base:.2f} s)")
    core = core_section(corpus, scratch, files, base)
    full = full_section(corpus, scratch, files, base)
    second = second_run(corpus, scratch / "full", files)
    return judge(core[-1].seconds / base, [*core, full, second], second, files)


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
            met = only_second_run(corpus, scratch, files)
        else:
            met = measure(corpus, scratch, files)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
