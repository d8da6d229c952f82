"""A whole OAI-PMH harvest of a 100,000-item archive from `archive serve`, as an aggregator runs
it: ListRecords in `oai_dc`, following the resumption tokens to the end, then ListIdentifiers.
Target: at least 1,000 records a second. Baseline in the same run: the same server sending the
sitemap of the same items (`/sitemap.xml` and its parts: one address and date per item, no
database work beyond one query a part), the fastest list of every item it has.

The archive is built as benchmarks/catalogue_load.py builds its own (real ingest of a handful
of generated files, then the items registered over their masters, each with a Vietnamese title,
description, collection, tags and page text; about 5% restricted), and its public items are
logged as made public, as migration 0008 logs an archive's items.

    python benchmarks/harvest.py [--items 100000] [--keep DIR] [-- SERVE-OPTIONS...]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import catalogue_load  # noqa: E402

OAI = "{http://www.openarchives.org/OAI/2.0/}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
TARGET = 1000.0  # records a second


def build(home: Path, count: int) -> None:
    """catalogue_load's archive, without its search index (a harvest reads none), and its
    public items logged."""
    import sqlite3

    catalogue_load.say(f"building an archive of {count} items in {home}")
    inputs = home.parent / "inputs"
    catalogue_load.make_inputs(inputs)
    catalogue_load.run_archive(home, "init")
    catalogue_load.run_archive(home, "ingest", str(inputs / "photos"), "--collection", "mau/anh")
    catalogue_load.run_archive(home, "ingest", str(inputs / "scans"), "--collection", "mau/van-ban")
    catalogue_load.register(home, count, catalogue_load.ingested_images(home))
    with sqlite3.connect(home / "archive.db") as database:
        database.execute("DELETE FROM public_changes")
        database.execute(
            "INSERT INTO public_changes (kind, target, activity, at, latest) "
            "SELECT 'item', accession_id, 'create', updated_at, TRUE FROM items "
            "WHERE access = 'public' ORDER BY id"
        )
    (home.parent / "built-harvest.txt").write_text(str(count), encoding="utf-8")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=300) as response:
        return response.read()


def harvest(address: str, verb: str) -> tuple[int, float, int]:
    """(records, seconds, requests) of a whole harvest with `verb`."""
    started, records, requests = time.perf_counter(), 0, 0
    query = {"verb": verb, "metadataPrefix": "oai_dc"}
    while True:
        root = ET.fromstring(fetch(f"{address}/oai?{urllib.parse.urlencode(query)}"))
        requests += 1
        error = root.find(f"{OAI}error")
        if error is not None:
            raise SystemExit(f"{verb}: {error.get('code')}: {error.text}")
        records += len(
            root.findall(f"{OAI}{verb}/{OAI}{'record' if verb == 'ListRecords' else 'header'}")
        )
        token = root.find(f"{OAI}{verb}/{OAI}resumptionToken")
        if token is None or not token.text:
            return records, time.perf_counter() - started, requests
        query = {"verb": verb, "resumptionToken": token.text}


def sitemap(address: str) -> tuple[int, float]:
    started = time.perf_counter()
    root = ET.fromstring(fetch(f"{address}/sitemap.xml"))
    parts = [loc.text for loc in root.iter(f"{SITEMAP}loc")] if root.tag.endswith("index") else []
    urls = 0 if parts else len(root.findall(f"{SITEMAP}url"))
    for part in parts:
        path = urllib.parse.urlsplit(part).path
        urls += len(ET.fromstring(fetch(f"{address}{path}")).findall(f"{SITEMAP}url"))
    return urls, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build the archive here once, and reuse it")
    parser.add_argument("serve", nargs="*", help="options for `archive serve` (after --)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="harvest-") as temporary:
        root = options.keep or Path(temporary)
        home = root / "home"
        marker = root / "built-harvest.txt"
        if not (marker.exists() and marker.read_text(encoding="utf-8") == str(options.items)):
            build(home, options.items)
        with catalogue_load.served(home, options.serve) as (address, server):
            fetch(f"{address}/oai?verb=Identify")  # the workers up
            urls, sitemap_seconds = sitemap(address)
            cpu = catalogue_load.cpu_seconds(server)
            records, seconds, requests = harvest(address, "ListRecords")
            cpu = catalogue_load.cpu_seconds(server) - cpu
            headers, header_seconds, _ = harvest(address, "ListIdentifiers")
    rate = records / seconds
    print(f"items: {options.items} ({records} public)")
    print(
        f"ListRecords (oai_dc): {records} records in {seconds:.1f} s, {requests} requests: "
        f"{rate:,.0f} records/s"
    )
    print(
        f"  the server's CPU: {cpu:.1f} s, {records / cpu:,.0f} records per CPU second; load "
        f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (others' work slows it)"
    )
    print(
        f"ListIdentifiers: {headers} headers in {header_seconds:.1f} s: "
        f"{headers / header_seconds:,.0f} headers/s"
    )
    print(
        f"baseline, the sitemap of the same items: {urls} addresses in {sitemap_seconds:.1f} s: "
        f"{urls / sitemap_seconds:,.0f} addresses/s"
    )
    met = rate >= TARGET
    print(f"target >= {TARGET:,.0f} records/s: {'met' if met else 'MISSED'}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
