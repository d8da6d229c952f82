"""The broker's queues of OCR and IIIF image jobs (Celery on Redis), when the setting
`broker_url` names one: sending jobs, and `archive worker`, which takes them on any machine.
A third queue, `index`, says when an item's jobs are all finished: the worker that takes it
tells the search index (soon, with the other items finished meanwhile), so that the machines
reading pages need not write the index, and one machine can (a Whoosh index wants one writer).

A message carries only a job's id (`archive.jobs` keeps the rest). Nothing is lost: the queues
are durable, and a job is acknowledged only once its result is committed (late acknowledgement),
one at a time per process (prefetch 1). A worker process that dies on a job gives it back at
once; a worker whose machine stops holds its jobs until `job_timeout` seconds have passed, when
another worker takes them. A job done twice writes its result once (`ingest.jobs`)."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from celery import Celery, signals
from celery.exceptions import Reject
from kombu import Queue

from archive import jobs as records
from archive.errors import ConfigError

if TYPE_CHECKING:
    from archive.home import Archive

JOB_KINDS = ("ocr", "images")  # a page's jobs, each with a queue of its own
QUEUES = (*JOB_KINDS, "index")
RESTORE_SECONDS = 5  # how often a worker looks for jobs held by a worker that stopped
SEND_TRIES = 20  # a broker that restarts while jobs are sent is waited for, about a minute
GIVE_BACK_AFTER = 5  # seconds a job failed by the broker or the database waits to be given back


def make_app(settings: dict[str, Any]) -> Celery:
    app = Celery("tulieu", broker=settings["broker_url"], set_as_current=False)
    app.conf.update(
        task_queues=[Queue(name, durable=True) for name in QUEUES],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": settings["job_timeout"],
            "unacked_restore_interval": RESTORE_SECONDS,
            "unacked_restore_throttle": 1,
        },
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    for kind in JOB_KINDS:
        app.task(name=kind, acks_late=True, reject_on_worker_lost=True)(_run)
    app.task(name="index", acks_late=True)(_index)
    return app


class Sender:
    """Sends jobs to the broker, each to the queue of its kind."""

    def __init__(self, settings: dict[str, Any]):
        self.url = settings["broker_url"]
        self.app = make_app(settings)

    def check(self) -> None:
        """Fail at once, with the reason, when the broker cannot be reached."""
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1)
        except Exception as exc:
            raise ConfigError(f"cannot reach the broker at {self.url}: {exc}")

    def __call__(self, jobs: list[tuple[str, int]]) -> None:
        """Send each job (kind, id) to the queue of its kind."""
        self._send([(kind, [job_id]) for kind, job_id in jobs])

    def index(self) -> None:
        """An item's jobs are all finished: ask for the search index to learn of it."""
        self._send([("index", [])])

    def _send(self, messages: list[tuple[str, list]]) -> None:
        if not messages:
            return
        policy = {"max_retries": SEND_TRIES, "interval_start": 0.5, "interval_max": 3}
        # A connection of its own each time: a pooled one outlives a broker restart as a closed
        # channel, which kombu does not take for a lost connection, and so does not retry.
        with self.app.connection_for_write() as connection:
            connection.ensure_connection(**policy)
            producer = connection.Producer()
            for kind, args in messages:
                self.app.send_task(
                    kind, args=args, queue=kind, producer=producer, retry=True,
                    retry_policy=policy,
                )  # fmt: skip

    def close(self) -> None:
        self.app.close()


# What each process of a worker knows: the archive home, its archive (opened in the process),
# and the app, to send the jobs that follow from one done.
_WORKER: dict[str, Any] = {}


def work(home: Path, settings: dict[str, Any], concurrency: int, queues: list[str]) -> int:
    """Take jobs from `queues` in `concurrency` processes until stopped; the exit code."""
    app = make_app(settings)
    _WORKER.update(home=home, sender=Sender(settings), archive=None)
    worker = app.Worker(
        concurrency=concurrency,
        queues=queues,
        pool="prefork",
        hostname=f"archive-{os.getpid()}@{socket.gethostname()}",
        loglevel="INFO",
        without_mingle=True,
        without_gossip=True,
        without_heartbeat=True,
        optimization="fair",
    )
    worker.start()
    return worker.exitcode or 0


def queue(
    archive: Archive, command: str, kind: str, pages: Callable, languages: str | None = None
) -> int:
    """Queue a job of `kind` for each page `pages(session)` gives, for `archive ocr` and
    `archive derivatives` with a broker; how many were queued. The command's jobs queued by an
    earlier run and never started (over `job_timeout` seconds ago) are sent again with them."""
    sender = Sender(archive.settings)
    try:
        sender.check()
        with archive.session() as session:
            earlier = records.never_started(session, command, archive.settings["job_timeout"])
            sent = records.add(session, command, kind, pages(session), languages=languages)
        sender(earlier + sent)
    finally:
        sender.close()
    return len(sent)


def _run(job_id: int) -> None:
    from ingest import jobs

    archive = _archive()
    sender = _WORKER["sender"]
    try:
        jobs.run(archive, job_id, sender, sender.index)
    except Exception as exc:
        # The work failed (a shared folder gone, say), or the broker or the database did after
        # it (its result committed, the jobs that follow not sent): the message goes back to
        # the queue, not acknowledged, and the next try does the job or sends again what was
        # not sent (`jobs.run`); after a pause, so that a database that is down is not asked
        # again and again many times a second. Why is kept for the job's reason, should every
        # try fail so.
        _note_error(archive, job_id, exc)
        time.sleep(GIVE_BACK_AFTER)
        raise Reject(exc, requeue=True)


def _note_error(archive: Archive, job_id: int, exc: Exception) -> None:
    try:
        with archive.session() as session:
            records.note_error(session, job_id, f"{type(exc).__name__}: {exc}")
    except Exception:  # the database is what failed: the try is counted, its reason is not
        logging.getLogger(__name__).exception("job %s: its error could not be kept", job_id)


def _index() -> None:
    """Index the items finished, in this process, `INDEX_SECONDS` after the first of them asked
    (`IndexSoon`): an update costs about as much as reading a page, too much for every item. The
    jobs keep which items the index has learnt of: those this process is stopped before it
    indexes (killed) are indexed with the next."""
    from ingest import jobs

    if _WORKER.get("index") is None:
        _WORKER["index"] = jobs.IndexSoon(_archive())
    _WORKER["index"]()


def _archive():
    from archive.home import Archive

    if _WORKER.get("archive") is None:
        _WORKER["archive"] = Archive.open(_WORKER["home"])
    return _WORKER["archive"]


@signals.worker_process_init.connect
def _started(**_kwargs) -> None:
    from ingest.workers import initialise

    initialise(os.getppid())
    # libvips tells Python's logging of every operation at INFO: the worker's log is its jobs
    logging.getLogger("pyvips").setLevel(logging.WARNING)
    _WORKER["archive"] = _WORKER["index"] = None  # its own connections, never its parent's


@signals.worker_process_shutdown.connect
def _ending(**_kwargs) -> None:
    if _WORKER.get("index") is not None:
        _WORKER["index"].now()  # what this process finished, indexed before it ends
    if _WORKER.get("archive") is not None:
        _WORKER["archive"].close()
