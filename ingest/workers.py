"""Run a function over many inputs in worker processes, results in input order.

In order, so that accession numbers follow the order files were found in and a resumed run gives
the same identifiers as an uninterrupted one. A worker that dies (a C library crashing on a hostile
file) breaks the whole pool; the inputs that were in flight are then retried one at a time in a
fresh pool, so only the file that kills a worker is failed.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


def initialise(main: int) -> None:
    """Make this process a worker of the process `main`: one thread for each library, ended
    with its parent, one malloc arena. Also run in each process of `archive worker`."""
    # Tesseract and other OpenMP code, and libvips, would start a thread per core in every
    # worker: the workers are the parallelism, so each keeps to one thread.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    os.environ["VIPS_CONCURRENCY"] = "1"  # libvips likewise (read when a worker first loads it)
    _die_with_parent(main)
    _one_malloc_arena()


M_ARENA_MAX = -8  # glibc's mallopt parameter
PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent ends


def _die_with_parent(main: int) -> None:
    """End this worker when its parent ends, even by SIGKILL (the kernel's OOM killer kills the
    main process alone): an orphaned worker would wait for work forever. The parent is the main
    process (`main`), or a fork server that ends with it. Linux only; elsewhere workers end when
    they next find the pool gone."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return  # no prctl here
    # The parent may have ended before the request was made: then no signal will come.
    if os.getppid() != parent or not alive(main):
        os._exit(1)


def alive(pid: int) -> bool:
    """Whether the process `pid` is still there."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _one_malloc_arena() -> None:
    # glibc gives each thread that allocates (libvips starts some even at one thread) an arena
    # of its own, where a page's freed pixels stay: a worker grew to 180 MB over a dozen
    # 3000×2000 photos, and keeps to 130 MB with a single arena.
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return  # not glibc: its own allocator, nothing to set
    libc.mallopt(M_ARENA_MAX, 1)


class _Pool:
    def __init__(self, workers: int):
        self.workers = workers
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        # fork: a worker starts with what this process has imported already, at once; the
        # pool is made before any thread of ours starts, and workers never touch the database.
        # But libvips' thread pool does not survive a fork: a worker forked from a process
        # that has used it hangs in its first operation. Such a process (the catalogue, a
        # test run) gets workers from a clean server process instead.
        method = "forkserver" if "pyvips" in sys.modules else "fork"
        context = multiprocessing.get_context(method)
        return ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=initialise, initargs=(os.getpid(),)
        )

    def renew(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self._new()


def ordered_map(
    function: Callable[[In], Out],
    inputs: Iterable[In],
    workers: int,
    on_crash: Callable[[In], Out],
) -> Iterator[tuple[In, Out]]:
    """Yield (input, function(input)) in input order; `on_crash(input)` stands for the result
    of an input whose worker died."""
    source = iter(inputs)
    try:
        first = next(source)
    except StopIteration:
        return  # nothing to do: start no workers
    source = itertools.chain([first], source)
    pool = _Pool(workers)
    window = workers * 4
    pending: deque[tuple[In, Future]] = deque()
    try:
        _fill(pool, function, source, pending, window)
        while pending:
            item, future = pending[0]
            try:
                result = future.result()
            except BrokenProcessPool:
                suspects = [queued for queued, _ in pending]
                pending.clear()
                yield from _isolate(pool, function, suspects, on_crash)
            else:
                pending.popleft()
                yield item, result
            _fill(pool, function, source, pending, window)
    finally:
        pool.executor.shutdown(wait=True, cancel_futures=True)


def _fill(pool: _Pool, function, source: Iterator, pending: deque, window: int) -> None:
    while len(pending) < window:
        try:
            item = next(source)
        except StopIteration:
            return
        try:
            future = pool.executor.submit(function, item)
        except BrokenProcessPool as exc:  # a worker died before its result was asked for
            future = Future()
            future.set_exception(exc)
        pending.append((item, future))


def _isolate(pool: _Pool, function, suspects: list, on_crash) -> Iterator[tuple]:
    pool.renew()
    for item in suspects:
        try:
            yield item, pool.executor.submit(function, item).result()
        except BrokenProcessPool:
            yield item, on_crash(item)
            pool.renew()
