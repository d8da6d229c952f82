"""The baseline of benchmarks/search.py: SQLite FTS5 over the same corpus, built and searched as
the engines are (the same documents' texts, the same queries, facets counted by GROUP BY)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from benchmarks.corpus import FACET_VOCABULARIES, PER_PAGE, read_corpus
from search_index.analysis import tokens

FTS_SCHEMA = """
CREATE TABLE docs (id INTEGER PRIMARY KEY, key TEXT NOT NULL, type TEXT NOT NULL,
                   year INTEGER, public INTEGER NOT NULL);
CREATE TABLE tags (doc INTEGER NOT NULL, vocabulary TEXT NOT NULL, value TEXT NOT NULL,
                   PRIMARY KEY (doc, vocabulary, value)) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5(title, text, tokenize="unicode61 remove_diacritics 2");
INSERT INTO fts (fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)');
"""


def fts_text(document: dict) -> str:
    """What Whoosh puts in `meta` and `pages`: description, creator, place, subjects, pages."""
    parts = [*document["description"].values(), document["creator"], document["place"]]
    parts += document["subjects"]
    parts += [page["text"] for page in document["pages"]]
    return "\n".join(p for p in parts if p)


def build_fts(corpus: Path, path: Path) -> dict:
    partial = path.with_suffix(".part")
    partial.unlink(missing_ok=True)
    con = sqlite3.connect(partial, isolation_level=None)
    try:
        con.executescript(FTS_SCHEMA)
        con.execute("PRAGMA synchronous = OFF")
        start = time.perf_counter()
        con.execute("BEGIN")
        for n, document in enumerate(read_corpus(corpus), 1):
            con.execute(
                "INSERT INTO docs VALUES (?, ?, ?, ?, ?)",
                (n, document["id"], document["type"], document["year_start"],
                 int(document["access"] == "public")),
            )  # fmt: skip
            con.executemany(
                "INSERT INTO tags VALUES (?, ?, ?)",
                [(n, vocabulary, value) for vocabulary, values in document["tags"].items()
                 for value in values],
            )  # fmt: skip
            con.execute(
                "INSERT INTO fts (rowid, title, text) VALUES (?, ?, ?)",
                (n, "\n".join(document["title"].values()), fts_text(document)),
            )
        con.execute("COMMIT")
        inserted = time.perf_counter() - start
        con.execute("INSERT INTO fts (fts) VALUES ('optimize')")
        seconds = time.perf_counter() - start
    finally:
        con.close()
    partial.replace(path)
    return {"seconds": seconds, "insert": inserted, "bytes": path.stat().st_size}


def fts_match(text: str) -> str:
    return " ".join('"' + word.replace('"', '""') + '"' for word in tokens(text))


class Fts:
    """Searches as `SearchIndex.search` does, on one SQLite connection: the public items
    matching every word, their count, the first page by bm25 with a snippet each, and facet
    counts by GROUP BY over the matching items."""

    def __init__(self, path: Path):
        self.con = sqlite3.connect(path, isolation_level=None)
        self.con.execute("CREATE TEMP TABLE hits (id INTEGER PRIMARY KEY, score REAL)")

    def close(self) -> None:
        self.con.close()

    def search(self, text: str, facets: bool) -> tuple[int, list, dict]:
        con, match = self.con, fts_match(text)
        con.execute("DELETE FROM temp.hits")
        con.execute(
            "INSERT INTO temp.hits SELECT fts.rowid, fts.rank FROM fts "
            "JOIN docs ON docs.id = fts.rowid WHERE fts MATCH ? AND docs.public",
            (match,),
        )
        total = con.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
        top = [
            r[0]
            for r in con.execute("SELECT id FROM temp.hits ORDER BY score LIMIT ?", (PER_PAGE,))
        ]
        page = []
        if top:
            rows = con.execute(
                "SELECT fts.rowid, docs.key, fts.title, "
                "snippet(fts, 1, '<mark>', '</mark>', '…', 30) FROM fts "
                f"JOIN docs ON docs.id = fts.rowid WHERE fts MATCH ? AND fts.rowid IN "
                f"({','.join('?' * len(top))})",
                (match, *top),
            )
            found = {row[0]: row[1:] for row in rows}
            page = [found[n] for n in top]
        counts: dict[str, list] = {}
        if facets:
            counts["type"] = con.execute(
                "SELECT docs.type, count(*) FROM temp.hits JOIN docs ON docs.id = temp.hits.id "
                "GROUP BY docs.type ORDER BY 2 DESC"
            ).fetchall()
            for vocabulary, value, n in con.execute(
                "SELECT tags.vocabulary, tags.value, count(*) FROM temp.hits "
                "JOIN tags ON tags.doc = temp.hits.id "
                f"WHERE tags.vocabulary IN ({','.join('?' * len(FACET_VOCABULARIES))}) "
                "GROUP BY 1, 2 ORDER BY 1, 3 DESC",
                FACET_VOCABULARIES,
            ):
                counts.setdefault(vocabulary, []).append((value, n))
        return total, page, counts


def run_fts(path: Path, queries, warmup, facets: bool) -> tuple[list[float], list[int]]:
    fts = Fts(path)
    try:
        for query in warmup:
            fts.search(query["text"], facets)
        times, totals = [], []
        for query in queries:
            start = time.perf_counter()
            total, _, _ = fts.search(query["text"], facets)
            times.append((time.perf_counter() - start) * 1000)
            totals.append(total)
    finally:
        fts.close()
    return times, totals
