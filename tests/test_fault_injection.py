"""An ingest killed with SIGKILL at any moment, then run again, ends exactly as a clean run does:
the same items with the same identifiers, the same masters, no duplicates, no orphan files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from PIL import Image

from archive.home import Archive
from tests import databases
from tests.conftest import wait_for

pytestmark = pytest.mark.slow

FILES = 200


def make_batch(folder: Path) -> None:
    """200 inputs: photos of varied sizes, a duplicate, a multi-page TIFF, a damaged file, a CSV."""
    folder.mkdir()
    for n in range(FILES - 3):
        size = (900, 600) if n % 3 else (1600, 1200)
        image = Image.new("RGB", size, (n % 256, (n * 7) % 256, (n * 13) % 256))
        image.save(folder / f"photo-{n:03d}.jpg", quality=90)
    (folder / "copy-of-photo-000.jpg").write_bytes((folder / "photo-000.jpg").read_bytes())
    pages = [Image.new("L", (600, 800), 90 + n * 40) for n in range(3)]
    pages[0].save(folder / "dossier.tif", save_all=True, append_images=pages[1:])
    (folder / "damaged.jpg").write_bytes((folder / "photo-001.jpg").read_bytes()[:3000])
    (folder / "metadata.csv").write_text(
        "file,title,date\nphoto-005.jpg,Ảnh năm,1975\ndossier.tif,Hồ sơ,199X\n", encoding="utf-8"
    )


def ingest(home: Path, inbox: Path) -> subprocess.Popen:
    env = {**os.environ, "ARCHIVE_BATCH_SIZE": "10"}
    command = [sys.executable, "-m", "archive", "--home", str(home), "ingest", str(inbox)]
    return subprocess.Popen(
        [*command, "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # so the kill takes the workers too
    )


def finish(process: subprocess.Popen) -> int:
    _, errors = process.communicate(timeout=300)
    assert b"Traceback" not in errors, errors.decode()
    return process.returncode


def counted(home: Path, table: str) -> int:
    try:
        return databases.query(home, f"select count(*) from {table}")[0][0]
    except (sqlite3.OperationalError, psycopg.OperationalError):  # not yet made
        return 0


def committed_items(home: Path) -> int:
    return counted(home, "items")


def stored_masters(home: Path) -> int:
    """Masters on disk, whole: those committed, and those of the batch being prepared."""
    files = (home / "masters").rglob("*")
    return sum(1 for p in files if p.is_file() and not p.name.endswith(".partial"))


# The moments a run is killed at, each a state of its home that the test waits for. A run
# writes its journal row after sweeping what a killed one left, so a state that asks for the
# new row (more runs than `runs_before`) is one of this run, not of the one before.


def started(home: Path, runs_before: int) -> Callable[[], bool]:
    """The run has swept and skipped what was done before, and written its journal row."""
    return lambda: counted(home, "ingest_runs") > runs_before


def first_master_stored(home: Path, runs_before: int) -> Callable[[], bool]:
    """The run has stored a master; its first batch is not committed yet."""
    return lambda: started(home, runs_before)() and stored_masters(home) > 0


def inside_a_batch(home: Path, runs_before: int, items: int) -> Callable[[], bool]:
    """`items` are committed, and masters of the next batch stored but not yet committed."""
    return lambda: (
        started(home, runs_before)()
        and committed_items(home) >= items
        and stored_masters(home) > counted(home, "masters")
    )


def kill_when(process: subprocess.Popen, state: Callable[[], bool], what: str) -> bool:
    """SIGKILL the run once `state()` holds; True when it was still running and so was killed."""
    wait_for(lambda: process.poll() is not None or state(), what)
    killed = process.poll() is None
    if killed:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()
    return killed


def snapshot(home: Path) -> dict:
    """Everything a run leaves that must not depend on how often it was killed."""
    archive = Archive.open(home)
    with archive.engine.connect() as db:
        rows = {
            table: sorted(tuple(r) for r in db.exec_driver_sql(query))
            for table, query in {
                "items": "select accession_id, type, content_hash, title, date, access from items",
                "masters": "select sha256, size, media_type, stored_path from masters",
                "pages": "select i.accession_id, p.number, m.sha256, p.frame, p.width, "
                "p.height from pages p join items i on i.id = p.item_id "
                "join masters m on m.id = p.master_id",
                "sources": "select s.path, s.sha256, i.accession_id from sources s "
                "join items i on i.id = s.item_id",
                "counters": "select key, value from counters",
            }.items()
        }
    archive.close()
    rows["files"] = sorted(
        (p.relative_to(home).as_posix(), p.stat().st_size)
        for p in (home / "masters").rglob("*")
        if p.is_file()
    )
    return rows


def test_an_ingest_killed_at_any_point_and_run_again_equals_a_clean_run(database, tmp_path):
    inbox = tmp_path / "inbox"
    make_batch(inbox)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    for home in (clean, killed):
        Archive.create(database.prepare(home)).close()

    assert finish(ingest(clean, inbox)) == 1  # the damaged file fails
    expected = snapshot(clean)
    assert len(expected["items"]) == FILES - 2  # less the duplicate and the damaged file

    # Kill before anything is committed, then in the middle of batches at several depths, then
    # during the first moments of a resumed run (the sweep and the skip of finished work).
    progress = []
    moments = [
        ("a first master stored", lambda runs: first_master_stored(killed, runs)),
        ("a batch after 10 items", lambda runs: inside_a_batch(killed, runs, 10)),
        ("a batch after 60 items", lambda runs: inside_a_batch(killed, runs, 60)),
        ("the start of a resumed run", lambda runs: started(killed, runs)),
        ("a batch after 170 items", lambda runs: inside_a_batch(killed, runs, 170)),
    ]
    for what, moment in moments:
        state = moment(counted(killed, "ingest_runs"))
        assert kill_when(ingest(killed, inbox), state, what), f"it ended before {what}"
        progress.append(committed_items(killed))
    total = len(expected["items"])
    assert progress == sorted(progress), progress
    assert len({p for p in progress if 0 < p < total}) >= 2, (
        f"kills fell outside the run: {progress}"
    )
    assert finish(ingest(killed, inbox)) == 1

    assert snapshot(killed) == expected
    assert not list((killed / "masters").rglob("*.partial"))
    check = [sys.executable, "-m", "archive", "--home", str(killed), "reindex", "--check"]
    assert subprocess.run(check, capture_output=True, text=True).stdout.strip() == (
        "index and database agree"
    )
