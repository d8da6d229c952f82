"""Everything at once on one archive: an ingest, twenty visitors of the catalogue served by
`archive serve`, and a member of staff editing an item, each in a process or thread of its own,
on each database. No one sees an error, nothing is lost, and what the catalogue shows at the
end is what the database holds."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import make_image
from tests.test_catalogue_server import served

VISITORS = 20
NEW_FILES = 6  # ingested while the visitors read
EDITS = 3  # one after the other, by `archive item set` in a process each


def _command(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "archive", "--home", str(home), *args]


def _photos(folder: Path, names: list[str], first: int = 0) -> Path:
    for n, name in enumerate(names):
        make_image(folder / f"{name}.jpg", size=(90, 60), color=(first + n * 9, 80, 120))
    rows = "".join(f"{name}.jpg,Ảnh {name}\n" for name in names)
    (folder / "metadata.csv").write_text(f"file,title\n{rows}", encoding="utf-8")
    return folder


def _get(address: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(address, timeout=60) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Visitor(threading.Thread):
    """Reads the home page, the list of items, a search and an item's page, again and again
    until `done` is set; keeps every answer that is not a 200 (or that failed)."""

    def __init__(self, base: str, item: str, done: threading.Event):
        super().__init__(daemon=True)
        self.paths = ["/", "/api/items?per_page=50", "/search?q=anh", f"/items/{item}"]
        self.base, self.done = base, done
        self.bad: list[tuple[str, object]] = []
        self.asked = 0

    def run(self) -> None:
        while not self.done.is_set():
            for path in self.paths:
                try:
                    status, _ = _get(self.base + path)
                except OSError as exc:  # refused, reset, timed out
                    status = repr(exc)
                self.asked += 1
                if status != 200:
                    self.bad.append((path, status))


@pytest.mark.slow
def test_an_ingest_twenty_visitors_and_a_staff_edit_at_once_lose_nothing(run, home, tmp_path):
    result, report = run.ingest(_photos(tmp_path / "first", ["a0", "a1"]))
    assert result.exit_code == 0, result.output
    edited = report["inputs"][0]["item"]
    new = _photos(tmp_path / "new", [f"b{n}" for n in range(NEW_FILES)], first=100)
    with served(home) as (base, _port):
        done = threading.Event()
        visitors = [Visitor(base, edited, done) for _ in range(VISITORS)]
        for visitor in visitors:
            visitor.start()
        ingest = subprocess.Popen(
            _command(
                home,
                "ingest",
                str(new),
                "--workers",
                "1",
                "--report",
                str(tmp_path / "report.json"),
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        edits = [
            subprocess.run(
                _command(home, "--by", "lan", "item", "set", edited, f"title=Sửa lần {n}"),
                capture_output=True,
                text=True,
                timeout=120,
            )
            for n in range(EDITS)
        ]
        ingested = ingest.communicate(timeout=300)[0]
        done.set()
        for visitor in visitors:
            visitor.join(timeout=120)
        assert ingest.returncode == 0, ingested
        assert [edit.returncode for edit in edits] == [0] * EDITS, [e.stderr for e in edits]
        assert [visitor.bad for visitor in visitors] == [[]] * VISITORS
        assert all(visitor.asked >= len(visitor.paths) for visitor in visitors)

        # nothing lost, and the catalogue (its kept pages too) shows the end state
        outcomes = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
        assert [e["outcome"] for e in outcomes["inputs"] if e["input"].endswith(".jpg")] == [
            "created"
        ] * NEW_FILES
        status, listed = _get(base + "/api/items?per_page=50")
        assert status == 200 and json.loads(listed)["total"] == 2 + NEW_FILES
        status, page = _get(f"{base}/items/{edited}")
        assert status == 200 and f"Sửa lần {EDITS - 1}" in page.decode()
    history = run("audit", "--item", edited, "--json")
    assert history.exit_code == 0, history.output
    titles = [e for e in json.loads(history.output) if e["action"] == "item set"]
    assert len(titles) == EDITS and {e["by"] for e in titles} == {"lan"}
