"""Search speed: one of the archive's search engines against SQLite FTS5, on one corpus.

The engine is Whoosh (`SearchIndex`, the default) or, with `--engine postgresql`, PostgreSQL's
full-text search (`search_index.postgresql.DatabaseIndex`) in a schema of its own of the
database `--database-url` names (dropped at the end unless --keep). Generates a deterministic
Vietnamese corpus (`benchmarks/corpus.py`, from the lexicon in `benchmarks/data/`), indexes it
with the engine's `rebuild` (procs=2) and into an FTS5 table (one connection, one process), runs
the same mix of 1-, 2- and 3-word queries against both, with and without facets, and times an
incremental update of one item in the engine. Prints build times and sizes, p50/p95/max latency
per engine, query length and facets, the ratio engine/FTS5, and whether the targets are met: p95
≤ 50 ms for a 2-word query with facets, and an update seen by a search within 100 ms.

    python benchmarks/search.py [--engine whoosh|postgresql] [--items 100000] [--words 300]
                                [--queries 200] [--keep DIR] [--database-url URL]

With --keep, the corpus, the indexes and their build figures stay in DIR (and the PostgreSQL
schema) and later runs with the same --items/--words reuse them (the update measurement puts the
items it changed back).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import index as whoosh_index  # noqa: E402

from archive import db  # noqa: E402
from benchmarks.corpus import (  # noqa: E402
    LEXICON,
    PER_PAGE,
    SEED,
    Lexicon,
    make_document,
    query_words,
    read_corpus,
    write_corpus,
)
from benchmarks.fts5 import build_fts, run_fts  # noqa: E402
from search_index.analysis import fold  # noqa: E402
from search_index.postgresql import DatabaseIndex  # noqa: E402
from search_index.service import SearchIndex  # noqa: E402

TARGET_QUERY_MS = 50.0  # p95 of a 2-word query with facets
TARGET_UPDATE_MS = 100.0  # an update, until a search sees it
UPDATES = 20
ENGINES = {"whoosh": "Whoosh", "postgresql": "PostgreSQL"}
DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
Opener = Callable[[], AbstractContextManager]


def say(*parts) -> None:
    print(*parts, flush=True)


# ---------------------------------------------------------------------------------------------
# The corpus


# ---------------------------------------------------------------------------------------------
# Building


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def progress(documents: Iterator[dict], items: int, start: float) -> Iterator[dict]:
    """The documents, with a line every tenth of them (how many were handed over, and when)."""
    step = max(1, items // 10)
    for n, document in enumerate(documents, 1):
        yield document
        if n % step == 0 and n < items:
            elapsed = time.perf_counter() - start
            say(f"  {n} handed over in {elapsed:.0f} s ({n / elapsed:.0f}/s)")


def build_whoosh(corpus: Path, folder: Path, items: int) -> dict:
    shutil.rmtree(folder, ignore_errors=True)
    index = SearchIndex.open(folder, procs=2)
    try:
        start = time.perf_counter()
        count = index.rebuild(progress(read_corpus(corpus), items, start))
        seconds = time.perf_counter() - start
    finally:
        index.close()
    assert count == items, (count, items)
    current = folder / (folder / "CURRENT").read_text(encoding="utf-8").strip()
    with whoosh_index.open_dir(str(current)).reader() as reader:  # segments are not .seg files
        segments = len(reader.leaf_readers())
    return {"seconds": seconds, "bytes": folder_size(current), "segments": segments}


class Postgres:
    """The schema of the PostgreSQL engine's index: made by the archive's migrations, named for
    the corpus (`search_bench_<items>_<words>`)."""

    def __init__(self, url: str, items: int, words: int):
        self.schema = f"search_bench_{items}_{words}"
        self.admin = db.make_engine(url)
        options = f"options=-csearch_path%3D{self.schema}"
        self.engine = db.make_engine(f"{url}{'&' if '?' in url else '?'}{options}")

    def exists(self) -> bool:
        with self.admin.connect() as connection:
            found = connection.exec_driver_sql(
                "SELECT 1 FROM pg_tables WHERE schemaname = %(s)s AND tablename = "
                "'search_documents'",
                {"s": self.schema},
            )
            return found.first() is not None

    def create(self) -> None:
        self.drop()
        with self.admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{self.schema}"')
        db.upgrade(self.engine)

    def drop(self) -> None:
        self.engine.dispose()
        with self.admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    def size(self) -> int:
        with self.engine.connect() as connection:
            found = connection.exec_driver_sql("SELECT pg_total_relation_size('search_documents')")
            return found.scalar_one()

    @contextmanager
    def index(self) -> Iterator[DatabaseIndex]:
        with DatabaseIndex(self.engine, procs=2) as index:
            yield index


def build_postgresql(corpus: Path, postgres: Postgres, items: int) -> dict:
    postgres.create()
    with postgres.index() as index:
        start = time.perf_counter()
        count = index.rebuild(progress(read_corpus(corpus), items, start))
        seconds = time.perf_counter() - start
        with postgres.engine.begin() as connection:  # as autovacuum would, soon after
            connection.exec_driver_sql("ANALYZE search_documents")
    assert count == items, (count, items)
    return {"seconds": seconds, "bytes": postgres.size(), "segments": None}


# ---------------------------------------------------------------------------------------------
# Queries


def make_queries(lexicon: Lexicon, count: int, seed: int) -> list[dict]:
    """`count` queries of 1, 2 and 3 words (in turn, see `query_words`), half of them typed
    without marks."""
    rng = random.Random(seed)
    queries = []
    for n in range(count):
        words = query_words(lexicon, rng, n % 3 + 1)
        typed = " ".join(words)
        plain = rng.random() < 0.5
        queries.append(
            {
                "words": len(words),
                "text": fold(typed) if plain else typed,
                "plain": plain,
                # Whoosh folds đ to d, FTS5 does not: "dat" misses "đất", "đất" misses "dất".
                "d": "d" in fold(typed),
            }
        )
    return queries


# ---------------------------------------------------------------------------------------------
# Measuring


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_engine(opener: Opener, queries, warmup, facets: bool) -> tuple[list[float], list[int]]:
    """A fresh index (so no query's words are cached from another pass), warmed up with other
    queries, then timed on `queries`."""
    with opener() as index:
        for query in warmup:
            index.search(query["text"], facets=facets, per_page=PER_PAGE)
        times, totals = [], []
        for query in queries:
            start = time.perf_counter()
            results = index.search(query["text"], facets=facets, per_page=PER_PAGE)
            times.append((time.perf_counter() - start) * 1000)
            totals.append(results.total)
    return times, totals


def measure_update(opener: Opener, lexicon: Lexicon, items: int, words: int, probe: str) -> dict:
    """The update of one changed public item, then searches until one finds it (a search
    without facets for a word only its new title has), then one search with facets (`probe`):
    UPDATES times, on one open index, as a server would."""
    nonce = f"{int(time.time()) % 100000:05d}"
    commit, visible, faceted = [], [], []
    originals: list[dict] = []
    with opener() as index:
        index.search(probe, per_page=PER_PAGE)  # a searcher and its facets in place
        n = 13
        while len(originals) < min(UPDATES, items):
            n = (n + 7919) % items
            document = make_document(lexicon, n, words)
            if document["access"] != "public" or any(o["id"] == document["id"] for o in originals):
                continue
            originals.append(json.loads(json.dumps(document)))
            marker = f"capnhat{nonce}x{len(originals)}"
            document["title"]["vi"] += f" {marker}"
            document["updated"] = datetime.now().isoformat()
            start = time.perf_counter()
            index.update([document])
            committed = time.perf_counter()
            tries = 0
            while index.search(marker, facets=False, per_page=PER_PAGE).total != 1:
                tries += 1
                if tries > 100:
                    raise RuntimeError(f"the update of {document['id']} never showed")
            seen = time.perf_counter()
            index.search(probe, per_page=PER_PAGE)
            after = time.perf_counter()
            commit.append((committed - start) * 1000)
            visible.append((seen - start) * 1000)
            faceted.append((after - seen) * 1000)
        index.update(originals)  # as they were, for the next run on a kept index
    return {"commit": commit, "visible": visible, "faceted": faceted}


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=300, help="words of page text per item")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="keep corpus and indexes here, reuse them")
    parser.add_argument("--lexicon", type=Path, default=LEXICON)
    parser.add_argument("--engine", choices=tuple(ENGINES), default="whoosh")
    parser.add_argument(
        "--database-url", default=DATABASE_URL, help="for --engine postgresql: where to index"
    )
    args = parser.parse_args()

    scratch = None
    if args.keep:
        work = args.keep.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        scratch = tempfile.TemporaryDirectory(prefix="search-bench-")
        work = Path(scratch.name)
    try:
        run(args, work)
    finally:
        if scratch is not None:
            scratch.cleanup()


def run(args, work: Path) -> None:
    say(f"search benchmark: {args.items} items × ~{args.words} words, {args.queries} queries")
    say(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs")
    say(f"work folder: {work}")
    params = {"items": args.items, "words": args.words, "seed": SEED, "version": 1}
    stored = work / "params.json"
    if stored.exists() and json.loads(stored.read_text()) != params:
        raise SystemExit(
            f"{work} holds a corpus made with {stored.read_text().strip()}; "
            "use another --keep folder, or empty this one"
        )
    stored.write_text(json.dumps(params))
    figures_file = work / "builds.json"
    figures = json.loads(figures_file.read_text()) if figures_file.exists() else {}

    def save() -> None:
        figures_file.write_text(json.dumps(figures, indent=1))

    start = time.perf_counter()
    lexicon = Lexicon(args.lexicon)
    say(
        f"lexicon: {len(lexicon.words)} words, {len(lexicon.syllables)} syllables, "
        f"{lexicon.mean_syllables:.2f} syllables a drawn word; "
        f"top words: {', '.join(lexicon.words[:12])} ({time.perf_counter() - start:.2f} s)"
    )

    corpus = work / "corpus.jsonl"
    reused = corpus.exists() and "corpus" in figures
    if not reused:
        for kept in (*ENGINES, "fts"):
            figures.pop(kept, None)
        figures["corpus"] = write_corpus(lexicon, corpus, args.items, args.words)
        save()
    c = figures["corpus"]
    say(
        f"\ncorpus{' (kept)' if reused else ''}: {args.items} items, "
        f"{c['page_words'] / args.items:.0f} words of page text an item on average "
        f"({c['page_words'] / 1e6:.1f} M in all), {c['bytes'] / 1e6:.0f} MB of JSON lines; "
        f"generated in {c['seconds']:.1f} s ({args.items / c['seconds']:.0f} items/s)"
    )

    postgres = None
    if args.engine == "postgresql":
        postgres = Postgres(args.database_url, args.items, args.words)
    try:
        built = build_engine(args, work, corpus, postgres, figures, save)
        measure(args, work, lexicon, figures, built)
    finally:
        if postgres is not None:
            if not args.keep:
                postgres.drop()
            postgres.admin.dispose()


def build_engine(
    args, work: Path, corpus: Path, postgres: Postgres | None, figures, save
) -> Opener:
    """The engine's index of the corpus (built, or kept from an earlier run); how to open it."""
    engine, name = args.engine, ENGINES[args.engine]
    whoosh = work / "whoosh"
    if postgres is None:
        reused = whoosh.exists() and engine in figures
    else:
        reused = engine in figures and postgres.exists()
    if not reused:
        say(f"building the {name} index (rebuild, procs=2) …")
        if postgres is None:
            figures[engine] = build_whoosh(corpus, whoosh, args.items)
        else:
            figures[engine] = build_postgresql(corpus, postgres, args.items)
        save()
    w = figures[engine]
    segments = f", {w['segments']} segments" if w["segments"] else ""
    say(
        f"{name} build{' (kept; figures from the run that built it)' if reused else ''}: "
        f"{w['seconds']:.1f} s, {args.items / w['seconds']:.0f} docs/s, "
        f"{w['bytes'] / 1e6:.0f} MB{segments}"
    )
    return (lambda: SearchIndex.open(whoosh)) if postgres is None else postgres.index


def measure(args, work: Path, lexicon: Lexicon, figures, opener: Opener) -> None:
    engine, name = args.engine, ENGINES[args.engine]
    corpus = work / "corpus.jsonl"
    figures_file = work / "builds.json"

    def save() -> None:
        figures_file.write_text(json.dumps(figures, indent=1))

    w = figures[engine]
    fts = work / "fts5.sqlite"
    reused = fts.exists() and "fts" in figures
    if not reused:
        say("building the FTS5 table (one connection) …")
        figures["fts"] = build_fts(corpus, fts)
        save()
    f = figures["fts"]
    say(
        f"fts5 build{' (kept; figures from the run that built it)' if reused else ''}: "
        f"{f['seconds']:.1f} s ({f['insert']:.1f} s inserting, "
        f"{f['seconds'] - f['insert']:.1f} s optimize), {args.items / f['seconds']:.0f} docs/s, "
        f"{f['bytes'] / 1e6:.0f} MB on disk; {name}/FTS5 build time "
        f"{w['seconds'] / f['seconds']:.1f}×, size {w['bytes'] / f['bytes']:.1f}×"
    )

    queries = make_queries(lexicon, args.queries, SEED + 1)
    warmup = make_queries(lexicon, max(30, args.queries // 4), SEED + 2)
    plain = sum(q["plain"] for q in queries)
    lengths = ", ".join(f"{k}-word {sum(q['words'] == k for q in queries)}" for k in (1, 2, 3))
    say(
        f"\nqueries: {len(queries)} ({lengths}), "
        f"{plain} typed without marks, {sum(q['d'] for q in queries)} with a d or đ "
        f"(the archive folds đ to d; FTS5's remove_diacritics 2 folds every mark but not đ, "
        f"so there `dat` misses `đất` and `đất` misses `dật`); warm-up: {len(warmup)} other queries"
    )
    say("examples: " + " | ".join(q["text"] for q in queries[:9]))

    timings: dict[tuple[str, bool], list[float]] = {}
    totals: dict[str, list[int]] = {}
    for facets in (False, True):
        start = time.perf_counter()
        times, found = run_engine(opener, queries, warmup, facets)
        timings[engine, facets] = times
        totals[engine] = found
        mode = "with" if facets else "without"
        say(
            f"{name} pass {mode} facets: {time.perf_counter() - start:.0f} s with its warm-up "
            f"(peak RSS so far {rss_mb():.0f} MB)"
        )
        times, found = run_fts(fts, queries, warmup, facets)
        timings["fts5", facets] = times
        totals["fts5"] = found
    differ = [i for i, q in enumerate(queries) if totals[engine][i] != totals["fts5"][i]]
    with_d = sum(queries[i]["d"] for i in differ)
    say(
        f"hit counts: the engines agree on {len(queries) - len(differ)} of {len(queries)} queries; "
        f"{with_d} of the {len(differ)} others have a d or đ"
    )
    for k in (1, 2, 3):
        found = sorted(t for q, t in zip(queries, totals[engine], strict=True) if q["words"] == k)
        if found:
            none = sum(t == 0 for t in found)
            say(
                f"  {k}-word queries match ({name}, public items): median {percentile(found, 0.5)}"
                f", p95 {percentile(found, 0.95)}, max {found[-1]}; {none} match nothing"
            )

    say("\nlatency, ms (first page of 20, public items only)")
    head = f"{name} p50 / p95 / max"
    say(f"{'':24}{head:>26}{'FTS5 p50 / p95 / max':>26}  {name}/FTS5 p50, p95")
    for facets in (False, True):
        for k in (1, 2, 3):
            cells, stats = [], {}
            for one in (engine, "fts5"):
                times = [
                    t for q, t in zip(queries, timings[one, facets], strict=True) if q["words"] == k
                ]
                stats[one] = (percentile(times, 0.5), percentile(times, 0.95), max(times))
                cells.append("{:8.1f} {:7.1f} {:7.1f}".format(*stats[one]))
            ratio = [stats[engine][i] / max(stats["fts5"][i], 1e-6) for i in (0, 1)]
            label = f"{k}-word, {'with' if facets else 'no'} facets"
            say(f"{label:24}{cells[0]:>26}{cells[1]:>26}  {ratio[0]:6.1f}× {ratio[1]:6.1f}×")

    probe = next(q["text"] for q in queries if q["words"] == 2)
    say(
        f"\nincremental update in {name}, {UPDATES} times: the update of one changed item, "
        f"searches (no facets) until one finds it, then one search with facets ({probe!r})"
    )
    updates = measure_update(opener, lexicon, args.items, args.words, probe)
    for key, label in (
        ("commit", "update (commit)"),
        ("visible", "update until a search sees it"),
        ("faceted", "then the search with facets"),
    ):
        times = updates[key]
        say(
            f"  {label:32} p50 {percentile(times, 0.5):7.1f} ms   p95 "
            f"{percentile(times, 0.95):7.1f} ms   max {max(times):7.1f} ms"
        )
    say(f"peak RSS of this process: {rss_mb():.0f} MB")

    two = [t for q, t in zip(queries, timings[engine, True], strict=True) if q["words"] == 2]
    p95 = percentile(two, 0.95)
    update = percentile(updates["visible"], 0.5)
    say("\nsummary")
    say(
        f"  target: p95 ≤ {TARGET_QUERY_MS:.0f} ms for a 2-word query with facets: {name} "
        f"{p95:.1f} ms — {'MET' if p95 <= TARGET_QUERY_MS else 'NOT MET'}"
    )
    say(
        f"  target: incremental update seen by a search ≤ {TARGET_UPDATE_MS:.0f} ms (p50): "
        f"{update:.1f} ms — {'MET' if update <= TARGET_UPDATE_MS else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
