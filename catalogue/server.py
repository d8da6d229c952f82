"""The catalogue's production server: gunicorn, with a worker process per CPU core (a Python
process runs one thread at a time, so one process would leave the other cores idle) and two
threads in each, so that one request's reads from the disk overlap another's work.

A worker takes a connection only when one of its threads is free, and each request comes on a
connection of its own (no keep-alive), so that waiting connections stay in the kernel's queue
and go to whichever worker frees a thread first (with keep-alive, a connection stays with the
worker that took it, however busy). A public site sits behind a proxy for HTTPS anyway, which
keeps the visitors' connections open itself.

A connection goes to a thread only once its request's head is whole (`Buffering`): until then
the worker's main thread reads what arrives, with its other waiting connections, so a client
sending a line every few seconds holds no thread. The catalogue reads no request bodies.

The listening sockets are bound here, before gunicorn starts, so that an address that cannot be
had is a configuration error with its reason, port 0 gets a free port, and the addresses are
known before the first request. Each worker opens the archive after the fork: a SQLite
connection or an open index file must not be shared between processes.
"""

from __future__ import annotations

import errno
import gc
import ipaddress
import os
import selectors
import socket
import time
from collections import deque
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import TConn, ThreadWorker

# Per worker: two overlap a request's disk reads with another's work; more share the worker's
# one core by turns, and make every request slower.
THREADS = 2
GRACEFUL_SECONDS = 10  # a stopped server finishes the requests under way for this long
BACKLOG = 2048  # connections waiting to be accepted (gunicorn's default)
HEAD_SECONDS = 60  # a request's head must be whole this long after its connection is taken
HEAD_BYTES = 65536  # read before a head is handed on (gunicorn refuses heads over ~16 kB)
WAITING = 500  # connections a worker keeps waiting for their heads; more are closed


def cores() -> int:
    """The CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def listen(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to every address of `host` (a name can have an IPv4 and an IPv6 one);
    with port 0 the first gets a free port, and the others the same one."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    addresses = list(dict.fromkeys((family, address) for family, _, _, _, address in found))
    sockets: list[socket.socket] = []
    try:
        for family, address in addresses:
            if sockets and port == 0:
                address = (address[0], sockets[0].getsockname()[1], *address[2:])
            sockets.append(_bound(family, address))
    except OSError:
        for bound in sockets:
            bound.close()
        raise
    return sockets


def loopback_url(url: str) -> bool:
    """Whether `url` names this machine only (localhost, 127.x, ::1): no visitor can reach it."""
    host = urlsplit(url).hostname or ""
    return host == "localhost" or host.endswith(".localhost") or _loopback_ip(host)


def public_sockets(sockets: list[socket.socket]) -> list[str]:
    """The addresses among `sockets` that other machines can connect to."""
    found = [str(bound.getsockname()[0]) for bound in sockets]
    return [address for address in found if not _loopback_ip(address)]


def _loopback_ip(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def _bound(family: socket.AddressFamily, address: tuple) -> socket.socket:
    bound = socket.socket(family, socket.SOCK_STREAM)
    try:
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:  # the IPv4 address has its own socket
            bound.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        bound.bind(address)
        bound.listen(BACKLOG)  # from now on connections wait for a worker, not refused
    except OSError:
        bound.close()
        raise
    return bound


def run(home: Path, sockets: list[socket.socket], workers: int, threads: int = THREADS) -> None:
    """Serve the catalogue of `home` on `sockets` until SIGINT or SIGTERM. gunicorn takes the
    sockets over (and closes them): they are detached from their objects first."""
    _Server(home, _options(sockets, workers, threads)).run()


def _options(sockets: list[socket.socket], workers: int, threads: int) -> dict[str, Any]:
    return {
        "bind": [f"fd://{bound.detach()}" for bound in sockets],
        "workers": workers,
        "threads": threads,
        "backlog": BACKLOG,
        "worker_class": Buffering,
        "keepalive": 0,
        "worker_connections": threads,
        "graceful_timeout": GRACEFUL_SECONDS,
        "loglevel": "warning",  # errors and stalled workers; no line per request
        "errorlog": "-",
        # its default path is one per user: two servers on one machine would fight over it
        "control_socket_disable": True,
        "proc_name": "archive serve",
        "worker_exit": _closed,
    }


class _Server(BaseApplication):
    def __init__(self, home: Path, options: dict[str, Any]):
        self.home, self.options = home, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from catalogue.app import create_app

        app = create_app(self.home)
        # What the worker has made so far (modules, the app) lives as long as it does: out of
        # the garbage collector's sight, its full collections no longer stop every request.
        # Buys search x2.2 req/s, p99 /2.4, item p99 /1.8 (catalogue_load, 3 paired runs).
        gc.freeze()
        return app


def _closed(arbiter, worker) -> None:
    app = getattr(worker, "wsgi", None)
    if app is not None and hasattr(app, "extensions"):
        app.extensions["catalogue.use"].flush()  # the use counted since the last write
        app.extensions["catalogue.kept"].close()
        app.extensions["search"].close()
        app.extensions["archive"].close()


class Buffering(ThreadWorker):
    """gunicorn's threaded worker, which hands a connection to a thread once the head of its
    request has arrived whole, read by the main thread meanwhile."""

    def init_process(self) -> None:
        self.waiting: deque[TConn] = deque()  # oldest first
        super().init_process()

    def accept(self, listener: socket.socket) -> None:
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        conn = TConn(self.cfg, client, address, listener.getsockname())  # non-blocking
        if len(self.waiting) >= WAITING:
            conn.close()
            return
        conn.head = bytearray()
        conn.timeout = time.monotonic() + HEAD_SECONDS
        self.waiting.append(conn)
        self.poller.register(client, selectors.EVENT_READ, partial(self._read_head, conn))

    def _read_head(self, conn: TConn, client: socket.socket) -> None:
        try:
            data = client.recv(HEAD_BYTES)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        conn.head += data
        if data and b"\r\n\r\n" not in conn.head and len(conn.head) < HEAD_BYTES:
            return
        self.poller.unregister(client)
        self.waiting.remove(conn)
        if not conn.head:  # closed before asking anything
            conn.close()
            return
        conn.init()  # the parser, reading what was read first, then the socket
        conn.parser.unreader.unread(bytes(conn.head))
        conn.data_ready = True
        self.nr_conns += 1  # counted from here: the threads' connections alone
        self.enqueue_req(conn)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        while self.waiting and self.waiting[0].timeout <= now:
            conn = self.waiting.popleft()
            self.poller.unregister(conn.sock)
            conn.close()
