"""`archive serve` under clients that send their requests slowly: a visitor on a bad line, or
someone holding connections open on purpose, must not keep everyone else waiting."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import first_line

SLOW_CLIENTS = 50
SLOW_SECONDS = 10.0  # how long the slow clients take over their requests
HEADER_EVERY = 3.0  # seconds between two header lines of a slow client
ORDINARY_CLIENTS = 4


@contextmanager
def served(home) -> Iterator[tuple[str, int]]:
    """`archive serve` as the catalogue ships it, on two workers: (its address, its port)."""
    command = [sys.executable, "-m", "archive", "--home", str(home), "serve", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = first_line(process, timeout=60)
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert found, line + process.stderr.read()
        yield found.group(0), int(found.group(1))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()


async def slow_client(port: int, opened: asyncio.Queue, until: float) -> bytes:
    """A request sent a header line every HEADER_EVERY seconds until `until`, then finished;
    the answer it gets."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET /search?q=quyen HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        await writer.drain()
        await opened.put(True)
        line = 0
        while time.monotonic() < until:
            # the slow client's pace, not a wait for a state
            await asyncio.sleep(min(HEADER_EVERY, max(0.0, until - time.monotonic())))
            writer.write(f"X-Slow-{line}: {line}\r\n".encode())
            await writer.drain()
            line += 1
        writer.write(b"Connection: close\r\n\r\n")
        await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout=30)
    finally:
        writer.close()


class SlowClients(threading.Thread):
    """SLOW_CLIENTS slow clients on an event loop of their own; `opened` is set once each
    has sent its first line, `answers` holds what each got in the end."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.opened = threading.Event()
        self.until = 0.0
        self.answers: list = []

    def run(self) -> None:
        asyncio.run(self._all())

    async def _all(self) -> None:
        opened: asyncio.Queue = asyncio.Queue()
        self.until = time.monotonic() + SLOW_SECONDS
        clients = [slow_client(self.port, opened, self.until) for _ in range(SLOW_CLIENTS)]
        gathered = asyncio.gather(*clients, return_exceptions=True)
        for _ in range(SLOW_CLIENTS):
            await opened.get()
        self.opened.set()
        self.answers = await gathered


def ordinary_requests(address: str, paths: list[str], until: float) -> tuple[list, list]:
    """Requests one after another until `until`: (seconds each took, failures)."""
    took, failed = [], []
    n = 0
    while time.monotonic() < until:
        path = paths[n % len(paths)]
        started = time.monotonic()
        try:
            with urllib.request.urlopen(address + path, timeout=10) as response:
                response.read()
            took.append(time.monotonic() - started)
        except OSError as error:
            failed.append(f"{path}: {error}")
        n += 1
    return took, failed


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_fifty_slow_clients_do_not_hold_up_ordinary_requests(catalogue_home):
    ids = catalogue_home["ids"]
    paths = ["/", "/search?q=quyen", *(f"/items/{ids[n]}" for n in ("anh-0.jpg", "ke-hoach.pdf"))]
    with served(catalogue_home["home"]) as (address, port):
        slow = SlowClients(port)
        slow.start()
        assert slow.opened.wait(timeout=60), "the slow clients could not connect"
        results: list[tuple[list, list]] = []
        ordinary = [
            threading.Thread(
                target=lambda: results.append(ordinary_requests(address, paths, slow.until))
            )
            for _ in range(ORDINARY_CLIENTS)
        ]
        for thread in ordinary:
            thread.start()
        for thread in ordinary:
            thread.join()
        slow.join(timeout=60)
    took = sorted(t for times, _ in results for t in times)
    failed = [f for _, failures in results for f in failures]
    assert not failed, failed[:5]
    assert len(took) >= 100, f"only {len(took)} requests answered in {SLOW_SECONDS} s"
    p99 = took[int(len(took) * 0.99)]
    assert p99 < 1.0, f"p99 {p99 * 1000:.0f} ms over {len(took)} requests"
    # and the slow clients, once their requests were whole, were answered too
    assert len(slow.answers) == SLOW_CLIENTS
    assert all(isinstance(a, bytes) and a.startswith(b"HTTP/1.1 200") for a in slow.answers), [
        a if isinstance(a, Exception) else a[:40] for a in slow.answers[:3]
    ]
