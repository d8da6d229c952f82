"""The worker pool: results in input order, and a worker that dies fails only its own input."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from ingest.workers import ordered_map
from tests import databases
from tests.conftest import make_image, wait_for


def square_or_die(n: int) -> int:
    if n == 13:
        os._exit(1)  # what a C library crashing on a hostile file looks like from outside
    return n * n


def test_results_come_in_input_order():
    assert list(ordered_map(square_or_die, range(12), 2, lambda n: None)) == [
        (n, n * n) for n in range(12)
    ]


def test_a_worker_that_dies_fails_only_its_input_and_the_rest_go_on():
    results = dict(ordered_map(square_or_die, range(30), 2, lambda n: "crashed"))
    assert results[13] == "crashed"
    assert {n: r for n, r in results.items() if n != 13} == {n: n * n for n in range(30) if n != 13}


def test_no_input_starts_no_workers():
    assert list(ordered_map(square_or_die, [], 2, lambda n: None)) == []


# --------------------------------------------------------------------------------------------
# A main process killed alone (as the kernel's OOM killer kills it)


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


def ingest_command(home: Path, inbox: Path) -> list[str]:
    return [sys.executable, "-m", "archive", "--home", str(home), "ingest", str(inbox)]


def test_killing_the_main_ingest_process_ends_its_workers_and_frees_the_home(home, tmp_path):
    inbox = tmp_path / "in"
    for n in range(40):
        make_image(inbox / f"photo-{n:02d}.jpg", size=(1600, 1200), color=(n * 6, 90, 160))
    command = [*ingest_command(home, inbox), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        # At work: both workers started and a first master stored, not yet all of them.
        workers = wait_for(
            lambda: (
                len(children(process.pid)) >= 2
                and any((home / "masters").rglob("*.jpg"))
                and children(process.pid)
            ),
            "the run's workers at work",
        )
        process.kill()  # the main process alone: its workers are not signalled
        process.wait()
        wait_for(lambda: not any(alive(pid) for pid in workers), "the workers to end", 30)
    finally:
        for pid in workers:  # a failing run must not leave them behind
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    statuses = [row[0] for row in databases.query(home, "select status from ingest_runs")]
    assert statuses == ["running"], "the run finished before it was killed"
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert "another run is writing" not in again.stdout + again.stderr
    assert again.returncode == 0, again.stdout + again.stderr
    assert databases.query(home, "select count(*) from items") == [(40,)]
