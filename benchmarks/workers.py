"""Workers through a broker against ingest's own worker processes: pages per minute, OCR and IIIF
images, of the ingest of the same generated A4 pages (300 dpi, Vietnamese), in the same run.

Local: `archive ingest --workers N`, timed to its end. Broker: `archive worker` processes (one
job at a time each) already waiting on a Redis of the benchmark's own, and `archive ingest` with
`broker_url` set, timed from the ingest's start until every job is done. Prints the rates, the
broker's against the local pool's with as many processes, and the speed-up from 1 to 2 worker
processes, with the CPU time each page took (of every process of the run, Tesseract's too).

The speed-up is given twice: of the whole run, and of the workers alone (from the first job
started to the last finished, as the jobs table records them), which leaves out what no worker
can share: the ingest command's start and its registering the pages before the first job is
sent (~1.4 s a run, the same for 1 or 2 workers). Beside them, the baseline in the same run:
plain `tesseract` on the same pages, one process and two at once, the most two cores give.

    python benchmarks/workers.py [--pages 40] [--lang vie+eng]
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

from benchmarks.ocr import make_pages, plain_tesseract  # noqa: E402

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


def through_broker(
    scratch: Path, pages: Path, workers: int, broker_url: str
) -> tuple[float, float]:
    """Seconds from the ingest's start until every job is done, and from the first job's start
    to the last one's end."""
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
        return time.perf_counter() - start, _span(home)
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait()


def _done(home: Path) -> int:
    from sqlalchemy import func, select

    from archive.models import Job

    return _read(home, select(func.count(Job.id)).where(Job.state == "done"))[0]


def _span(home: Path) -> float:
    """Seconds from the first job's start to the last one's end."""
    from sqlalchemy import func, select

    from archive.models import Job

    first, last = _read(home, select(func.min(Job.started_at), func.max(Job.finished_at)))
    return (last - first).total_seconds()


def _read(home: Path, statement):
    """The one row `statement` reads from the archive home's database."""
    from archive.home import Archive

    archive = Archive.open(home)
    try:
        with archive.session() as session:
            return session.execute(statement).one()
    finally:
        archive.close()


def _cpu() -> float:
    """CPU seconds of the processes this one started and has waited for (the ingest, the
    workers and their Tesseracts), whatever else the machine was doing meanwhile."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--lang", default="vie+eng", help="as the archive's default setting")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="workers-bench-") as name:
        scratch, n = Path(name), args.pages
        pages = scratch / "pages"
        paths = make_pages(pages, n)
        (scratch / "broker").mkdir()
        broker, url = start_broker(scratch / "broker")
        try:
            seconds, workers_only, cpu = {}, {}, {}
            (scratch / "plain").mkdir()
            for workers in (1, 2):
                plain = plain_tesseract(paths, args.lang, scratch / "plain", processes=workers)
                seconds["plain", workers] = plain
                before = _cpu()
                seconds["local", workers] = local(scratch, pages, workers)
                cpu["local", workers], before = _cpu() - before, _cpu()
                run = through_broker(scratch, pages, workers, url)
                seconds["broker", workers], workers_only[workers] = run
                cpu["broker", workers] = _cpu() - before
        finally:
            broker.terminate()
            broker.wait()
    print(f"{n} A4 pages at 300 dpi, Vietnamese, OCR and IIIF images")
    for (path, workers), spent in seconds.items():
        used = f"  (CPU {cpu[path, workers] / n:.2f} s a page)" if path != "plain" else ""
        print(
            f"{path:6} {workers} process{'es' if workers > 1 else '  '}: "
            f"{60 * n / spent:6.1f} pages/min{used}"
        )
    for workers in (1, 2):
        ratio = seconds["local", workers] / seconds["broker", workers]
        print(f"broker / local pool, {workers} process(es): {ratio:.2f} (target ≥ 0.9)")
    print("from 1 to 2 processes (target ≥ 1.8× through the broker):")
    print(f"  broker, the whole run:     {seconds['broker', 1] / seconds['broker', 2]:.2f}×")
    print(f"  broker, the workers alone: {workers_only[1] / workers_only[2]:.2f}×")
    print(f"  local pool:                {seconds['local', 1] / seconds['local', 2]:.2f}×")
    print(f"  plain tesseract:           {seconds['plain', 1] / seconds['plain', 2]:.2f}×")


if __name__ == "__main__":
    main()
