"""Load on the online catalogue: item pages and search pages of a 10,000-item archive, served by
`archive serve` exactly as an installation runs it, under 20 concurrent clients.

The archive is built once (into --keep DIR, or a temporary folder): a handful of generated
photos and scanned pages go through the real `archive ingest` (masters, OCR, IIIF images), then
10,000 items are registered through the item service over those masters, so that they share
their images, each with its own Vietnamese title, description, dates, collection, tags and about
100 words of page text (the search benchmark's corpus generator); about 5% are restricted.
`archive reindex` indexes them. Then `archive serve --port 0` runs as a subprocess and `wrk`
(Debian's, installed by scripts/system-packages.sh when missing; a C load generator, so the
clients do not take a core from the server on a small machine) loads it, 30 s per route:

- item pages: a random public item, a random page of it (one request in four in English);
- search pages: a random query of 1 or 2 words, half typed without diacritics, out of --queries
  (2000) distinct ones, so that a run asks each a few times, as visitors ask the popular ones.

Each route is first loaded for --warm-up seconds (15), reported apart: a server just started
has yet to keep what it works out once (each word's scores, the items' cards), and those first
seconds are what a server that has been up for a while never sees again. Then the measured run.
Prints requests per second, p50/p95/p99/max latency, errors (which must be none), the CPU the
server, the load generator and any other process used meanwhile (others make the figures low),
and whether the targets are met: item page p99 < 100 ms, search page p99 < 300 ms. Exit status
1 when a request failed or a target was missed.

    python benchmarks/catalogue_load.py [--items 10000] [--seconds 30] [--connections 20]
        [--route item|search] [--warm-up SECONDS] [--queries N] [--keep DIR]
        [-- SERVE-OPTIONS...]

With --keep, the archive is built in DIR once and reused by later runs with the same --items.
Options after -- go to `archive serve` (`-- --workers 1`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import LEXICON, Lexicon, make_document, query_words  # noqa: E402
from search_index.analysis import fold  # noqa: E402

SEED = 1297
WORDS = 100  # of page text per item
PHOTOS = 6  # generated photos whose images the registered photos share
SCANS = 3  # generated scanned pages, likewise for documents
BATCH = 500  # items registered per transaction
TARGETS_MS = {"item": 100.0, "search": 300.0}  # p99
ROUTES = tuple(TARGETS_MS)
ENGLISH_SHARE = 0.25  # of requests made with the English cookie
QUERIES = 2000  # distinct search addresses (--queries); each is asked several times a run
WRK = "wrk"

# wrk's script: each connection asks for a random line of the paths file; at the end the
# latency percentiles and the error counts come out as one JSON line (wrk's own report has no
# p95). Every thread is its own Lua state, with its own seed.
LUA = r"""
local paths, english, counter = {}, 0, 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  english = tonumber(args[2])
  math.randomseed(tonumber(args[3]) + id * 7919)
end
function request()
  local headers = {}
  if math.random() < english then headers["Cookie"] = "lang=en" end
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"max": %d, "mean": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
"""


def say(*parts) -> None:
    print(*parts, flush=True)


def archive_command(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "archive", "--home", str(home), *args]


def run_archive(home: Path, *args: str) -> None:
    started = time.perf_counter()
    result = subprocess.run(archive_command(home, *args), capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"archive {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    say(f"  archive {args[0]}: {time.perf_counter() - started:.1f} s")


# ---------------------------------------------------------------------------------------------
# The archive


def make_inputs(folder: Path) -> None:
    """A few photos and scanned pages, for ingest to make masters and images of."""
    from demo.samples import make_page, make_photo

    for n in range(PHOTOS):
        make_photo(folder / "photos" / f"anh-{n}.jpg", width=2400, height=1600, seed=n)
    text = "QUYỀN CON NGƯỜI\nKế hoạch tuyên truyền về quyền con người giai đoạn 2023 - 2028."
    (folder / "scans").mkdir(parents=True)
    for n in range(SCANS):
        page = make_page(f"{text}\nTrang {n + 1}.", dpi=150, seed=n)
        page.save(folder / "scans" / f"trang-{n}.png")


@dataclass(frozen=True)
class Image:
    """A master that ingest made IIIF images of, as a registered item's file refers to it."""

    sha256: str
    size: int
    media_type: str
    original_path: str
    stored_path: str
    width: int
    height: int


def ingested_images(home: Path) -> dict[str, list[Image]]:
    """The masters of the ingested photos and scans, by item type."""
    from sqlalchemy import select

    from archive.home import Archive
    from archive.models import Item, Page

    archive = Archive.open(home)
    found: dict[str, list[Image]] = {"photo": [], "document": []}
    with archive.sessions() as session:
        for item_type, page in session.execute(
            select(Item.type, Page).join(Page.item).order_by(Item.id)
        ):
            master = page.master
            found[item_type].append(
                Image(
                    master.sha256,
                    master.size,
                    master.media_type,
                    master.original_path,
                    master.stored_path,
                    page.width,
                    page.height,
                )
            )
    archive.close()
    return found


def new_item(document: dict, n: int, images: dict[str, list[Image]]):
    """The registration record of corpus document `document`: its files are the shared masters,
    one per page, each page with its text as a machine reading."""
    from archive.records import NewFile, NewItem, PageResult, Reading

    pool = images[document["type"]]
    pages = document["pages"]
    if document["type"] == "photo":  # one image, with all the text the generator wrote
        pages = [{"number": 1, "text": " ".join(p["text"] for p in pages)}]
    files = []
    for k, page in enumerate(pages):
        image = pool[(n + k) % len(pool)]
        reading = Reading(
            text=page["text"],
            words=[],
            confidence=90.0,
            width=image.width,
            height=image.height,
            rotation=0,
            source="ocr",
            ocr_languages="vie",
            engine="benchmark",
            language="vi",
            hocr_path=None,
        )
        files.append(
            NewFile(
                sha256=image.sha256,
                size=image.size,
                media_type=image.media_type,
                original_path=image.original_path,
                stored_path=image.stored_path,
                frames=((image.width, image.height),),
                source_path=f"/benchmark/{n}/{k}",
                mtime_ns=0,
                pages=(PageResult(reading=reading),),
            )
        )
    start, end = document["year_start"], document["year_end"]
    return NewItem(
        content_hash=hashlib.sha256(f"benchmark-{n}".encode()).hexdigest(),
        type=document["type"],
        files=files,
        title=document["title"],
        description=document["description"],
        date=str(start) if start == end else f"{start}/{end}",
        creator=document["creator"],
        place=document["place"],
        rights="http://rightsstatements.org/vocab/InC-EDU/1.0/",
        access=document["access"],
        languages=document["languages"],
        collection=document["collection"],
    )


def register(home: Path, count: int, images: dict[str, list[Image]]) -> None:
    """`count` items from the corpus generator, with the corpus's tags as automatic ones."""
    from archive import items as item_service
    from archive.home import Archive
    from archive.models import Tag
    from archive.work import UnitOfWork

    lexicon = Lexicon(LEXICON)
    archive = Archive.open(home)
    prefix = archive.settings["identifier_prefix"]
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        documents = [make_document(lexicon, n, WORDS) for n in range(first, first + BATCH)]
        news = [new_item(d, first + i, images) for i, d in enumerate(documents[: count - first])]
        with archive.session() as session:
            # the rows alone: a unit of work left unfinished tags nothing and audits nothing
            made = item_service.register(
                UnitOfWork(archive, session, "build", "build"), news, prefix
            )
            for (_, item), document in zip(made, documents, strict=False):
                for vocabulary, terms in document["tags"].items():
                    for term in terms:
                        evidence = {"rule": "benchmark"}
                        item.tags.append(
                            Tag(vocabulary=vocabulary, term=term, source="auto", score=1.0,
                                evidence=evidence)
                        )  # fmt: skip
    archive.close()
    say(f"  registered {count} items: {time.perf_counter() - started:.1f} s")


def build(home: Path, count: int) -> None:
    say(f"building an archive of {count} items in {home}")
    inputs = home.parent / "inputs"
    shutil.rmtree(inputs, ignore_errors=True)
    make_inputs(inputs)
    run_archive(home, "init")
    run_archive(home, "ingest", str(inputs / "photos"), "--collection", "mau/anh")
    run_archive(home, "ingest", str(inputs / "scans"), "--collection", "mau/van-ban")
    register(home, count, ingested_images(home))
    run_archive(home, "reindex")
    (home.parent / "built.json").write_text(json.dumps({"items": count}), encoding="utf-8")


def ready(home: Path, count: int) -> bool:
    marker = home.parent / "built.json"
    return marker.exists() and json.loads(marker.read_text(encoding="utf-8"))["items"] == count


# ---------------------------------------------------------------------------------------------
# What the clients ask for


def public_pages(home: Path) -> list[tuple[str, int]]:
    """(accession id, pages) of every public item."""
    from sqlalchemy import func, select

    from archive.home import Archive
    from archive.models import Item, Page

    archive = Archive.open(home)
    with archive.sessions() as session:
        rows = session.execute(
            select(Item.accession_id, func.count(Page.id))
            .join(Page.item)
            .where(Item.access == "public")
            .group_by(Item.id)
        ).all()
    archive.close()
    return [(accession, pages) for accession, pages in rows]


def item_paths(home: Path, rng: random.Random) -> list[str]:
    paths = []
    for accession, pages in public_pages(home):
        paths.append(f"/items/{accession}")
        if pages > 1:
            paths.append(f"/items/{accession}?page={rng.randint(2, pages)}")
    rng.shuffle(paths)
    return paths


def search_paths(rng: random.Random, count: int = QUERIES) -> list[str]:
    """Queries of 1 or 2 words, each word common (drawn by its frequency) or rare, half typed
    without diacritics."""
    from urllib.parse import quote_plus

    lexicon = Lexicon(LEXICON)
    paths = []
    for n in range(count):
        typed = " ".join(query_words(lexicon, rng, n % 2 + 1))
        paths.append("/search?q=" + quote_plus(fold(typed) if n % 4 >= 2 else typed))
    return paths


# ---------------------------------------------------------------------------------------------
# The server and the load


@contextmanager
def served(home: Path, options: list[str]) -> Iterator[tuple[str, int]]:
    """`archive serve --port 0` running: (its address, its process id). It starts as a server
    freshly installed would, with nothing kept by an earlier run's workers (search results,
    pages)."""
    for kept in (home / "cache").glob("*"):
        kept.unlink()
    process = subprocess.Popen(
        [*archive_command(home, "serve", "--port", "0"), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = _first_line(process, timeout=120)
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        if not found:
            raise SystemExit(f"archive serve did not start: {line}{process.stderr.read()}")
        yield found.group(0), process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def _first_line(process: subprocess.Popen, timeout: float) -> str:
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    try:
        return process.stdout.readline() if selector.select(timeout) else ""
    finally:
        selector.close()


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and of every process below it, now."""
    tick = os.sysconf("SC_CLK_TCK")
    total, queue = 0.0, [pid]
    while queue:
        current = queue.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
        queue += [int(child) for child in children]
    return total


def machine_busy() -> float:
    """CPU seconds every process of the machine has used since it started (all cores)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def ensure_wrk() -> None:
    if shutil.which(WRK) is None:
        subprocess.run([str(ROOT / "scripts/system-packages.sh"), "wrk"], check=True)


def warm(address: str, paths: list[str]) -> None:
    """A few requests first: every worker's first request loads what it keeps."""
    for path in paths[:20]:
        with urllib.request.urlopen(address + path, timeout=60) as response:
            response.read()


def load(address: str, paths: list[str], seconds: int, connections: int, server: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="catalogue-load-") as scratch:
        script, listing = Path(scratch) / "random.lua", Path(scratch) / "paths.txt"
        script.write_text(LUA, encoding="utf-8")
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        command = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        command += ["-s", str(script), address, "--", str(listing), str(ENGLISH_SHARE), str(SEED)]
        before_server, before_machine = cpu_seconds(server), machine_busy()
        before_wrk = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        after_wrk = resource.getrusage(resource.RUSAGE_CHILDREN)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["server_cpu"] = cpu_seconds(server) - before_server
    figures["wrk_cpu"] = (after_wrk.ru_utime + after_wrk.ru_stime) - (
        before_wrk.ru_utime + before_wrk.ru_stime
    )
    # anything else running meanwhile takes cores from the server: the figures are then low
    busy = machine_busy() - before_machine
    figures["other_cpu"] = max(0.0, busy - figures["server_cpu"] - figures["wrk_cpu"])
    return figures


def report(name: str, figures: dict, seconds: int) -> bool:
    """Print one route's figures; whether it had no error and met its target. `name` may say
    which run it was after the route's name ("search, warm-up")."""
    duration = figures["duration_us"] / 1e6
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    ms = {k: figures[k] / 1000 for k in ("p50", "p95", "p99", "max")}
    target = TARGETS_MS[name.split(",")[0]]
    met = errors == 0 and ms["p99"] < target
    say(
        f"{name:6} {figures['requests'] / duration:7.1f} req/s  "
        f"p50 {ms['p50']:6.1f}  p95 {ms['p95']:6.1f}  p99 {ms['p99']:6.1f}  "
        f"max {ms['max']:7.1f} ms  errors {errors} "
        f"(connect {figures['connect']}, read {figures['read']}, write {figures['write']}, "
        f"status {figures['status']}, timeout {figures['timeout']})"
    )
    say(
        f"       {figures['requests']} requests in {duration:.1f} s; CPU: server "
        f"{figures['server_cpu'] / seconds:.2f} cores, wrk {figures['wrk_cpu'] / seconds:.2f}, "
        f"other processes {figures['other_cpu'] / seconds:.2f}; "
        f"p99 target < {target:.0f} ms: {'met' if met else 'MISSED'}"
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--route", choices=ROUTES, help="load only this one")
    parser.add_argument("--seconds", type=int, default=30, help="of load on each route")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument(
        "--queries",
        type=int,
        default=QUERIES,
        help="distinct searches drawn from (more: fewer asked again, so fewer found kept)",
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=15,
        help="seconds of the same load first, reported apart (0: none)",
    )
    parser.add_argument("--keep", type=Path, help="build the archive here once, and reuse it")
    parser.add_argument("serve", nargs="*", help="options of `archive serve`, after --")
    args = parser.parse_args()
    ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="catalogue-bench-") as scratch:
        folder = args.keep.absolute() if args.keep else Path(scratch)
        home = folder / "home"
        if not ready(home, args.items):
            for made in (home, folder / "inputs", folder / "built.json"):
                if made.is_dir():
                    shutil.rmtree(made)
                made.unlink(missing_ok=True)
            folder.mkdir(parents=True, exist_ok=True)
            build(home, args.items)
        rng = random.Random(SEED)
        routes = {"item": item_paths(home, rng), "search": search_paths(rng, args.queries)}
        say(
            f"\n{len(routes['item'])} item addresses, {len(routes['search'])} queries; "
            f"{args.connections} connections, {args.seconds} s each, on {os.cpu_count()} cores; "
            f"archive serve {' '.join(args.serve)}"
        )
        met = True
        with served(home, args.serve) as (address, pid):
            for name, paths in routes.items():
                if args.route not in (None, name):
                    continue
                warm(address, paths)
                if args.warm_up:
                    figures = load(address, paths, args.warm_up, args.connections, pid)
                    report(f"{name}, the first {args.warm_up} s", figures, args.warm_up)
                figures = load(address, paths, args.seconds, args.connections, pid)
                met = report(name, figures, args.seconds) and met
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
