"""Workers through a broker against ingest's own worker processes: pages per minute, OCR and IIIF
images, of the ingest of the same generated A4 pages (300 dpi, Vietnamese), in the same run.

Local: `archive ingest --workers N`, timed to its end. Broker: `archive worker` processes (one
job at a time each) already waiting on a Redis of the benchmark's own, and `archive ingest` with
`broker_url` set, timed from the ingest's start until every job is done. Prints the rates, the
broker's against the local pool's with as many processes, and the speed-up from 1 to 2 worker
processes, with the CPU time each page took (of every process of the run, Tesseract's too).

    python benchmarks/workers.py [--pages 20]
"""

from __future__ import annotations

import argparse
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ocr import make_pages  # noqa: E402

ARCHIVE = [sys.executable, "-m", "archive"]
POLL_SECONDS = 0.2


def start_broker(folder: Path) -> tuple[subprocess.Popen, str]:
    import redis

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "yes", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            if redis.Redis(port=port).ping():
                return process, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            time.sleep(0.05)
    sys.exit("redis-server did not start")


def new_home(home: Path, broker_url: str = "") -> Path:
    subprocess.run([*ARCHIVE, "--home", str(home), "init"], check=True, stdout=subprocess.DEVNULL)
    if broker_url:
        with open(home / "archive.toml", "a", encoding="utf-8") as settings:
            settings.write(f'broker_url = "{broker_url}"\n')
    return home


def ingest(home: Path, pages: Path, *options: str) -> None:
    command = [*ARCHIVE, "--home", str(home), "ingest", str(pages), "--type", "document"]
    result = subprocess.run([*command, *options], stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"ingest failed ({result.returncode}):\n{result.stdout}")


def local(scratch: Path, pages: Path, workers: int) -> float:
    home = new_home(scratch / f"local-{workers}")
    start = time.perf_counter()
    ingest(home, pages, "--workers", str(workers))
    return time.perf_counter() - start


def through_broker(scratch: Path, pages: Path, workers: int, broker_url: str) -> float:
    home = new_home(scratch / f"broker-{workers}", broker_url)
    started = [
        subprocess.Popen(
            [*ARCHIVE, "--home", str(home), "worker", "--concurrency", "1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        start = time.perf_counter()
        ingest(home, pages)
        total = 2 * len(list(pages.iterdir()))  # each page's OCR, then its images
        while _done(home) < total:
            time.sleep(POLL_SECONDS)
        return time.perf_counter() - start
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait()


def _done(home: Path) -> int:
    from sqlalchemy import func, select

    from archive.home import Archive
    from archive.models import Job

    archive = Archive.open(home)
    try:
        with archive.session() as session:
            return session.scalar(select(func.count(Job.id)).where(Job.state == "done"))
    finally:
        archive.close()


def _cpu() -> float:
    """CPU seconds of the processes this one started and has waited for (the ingest, the
    workers and their Tesseracts), whatever else the machine was doing meanwhile."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="workers-bench-") as name:
        scratch = Path(name)
        make_pages(scratch / "pages", args.pages)
        (scratch / "broker").mkdir()
        broker, url = start_broker(scratch / "broker")
        try:
            seconds, cpu = {}, {}
            for workers in (1, 2):
                before = _cpu()
                seconds["local", workers] = local(scratch, scratch / "pages", workers)
                cpu["local", workers], before = _cpu() - before, _cpu()
                seconds["broker", workers] = through_broker(
                    scratch, scratch / "pages", workers, url
                )
                cpu["broker", workers] = _cpu() - before
        finally:
            broker.terminate()
            broker.wait()
    n = args.pages
    print(f"{n} A4 pages at 300 dpi, Vietnamese, OCR and IIIF images")
    for (path, workers), spent in seconds.items():
        print(
            f"{path:6} {workers} process{'es' if workers > 1 else '  '}: "
            f"{60 * n / spent:6.1f} pages/min  (CPU {cpu[path, workers] / n:.2f} s a page)"
        )
    for workers in (1, 2):
        ratio = seconds["local", workers] / seconds["broker", workers]
        print(f"broker / local pool, {workers} process(es): {ratio:.2f}")
    print(f"broker, 2 workers / 1 worker: {seconds['broker', 1] / seconds['broker', 2]:.2f}x")
    print(f"local pool, 2 / 1: {seconds['local', 1] / seconds['local', 2]:.2f}x")


if __name__ == "__main__":
    main()
