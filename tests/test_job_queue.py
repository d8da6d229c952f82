"""OCR and IIIF images as jobs on a real broker: `archive worker` processes started here take
them from Redis (a server of the test's own, which it can restart), on each database. Nothing is
lost and nothing is written twice: a worker killed mid-run, a broker restarted mid-run, a page
that ends its worker every time. What the workers make is what a local ingest makes."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from archive.home import Archive
from archive.models import Item, Job, Page, PageText
from ingest import jobs
from tests.conftest import Cli, wait_for

# Texts whose words the shipped vocabularies tag (places, subjects), so that the tags compared
# with a local ingest's are not all empty.
LINES = (
    "Lễ hội đâm trâu ở làng Kon Klor",
    "Nhà rông là nơi sinh hoạt cộng đồng",
    "Trường học ở huyện Đắk Tô năm 1998",
    "Báo cáo về giáo dục ở Đắk Glei",
)


def pages(folder: Path, count: int, height: int = 4) -> Path:
    """`count` scanned strips of text (a quarter of an A4 page at 150 dpi by default; `height`
    1 is a whole page), one document each."""
    from demo.samples import make_page

    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        page = make_page(f"{LINES[n % len(LINES)]}, số {n}.", size_pt=14, dpi=150, seed=n)
        page.crop((0, 0, page.width, page.height // height)).save(
            folder / f"trang-{n:02d}.png", dpi=(150, 150)
        )
    return folder


class Broker:
    """A redis-server of this test's own on a free port, its queue kept on disk (appendonly),
    to be restarted as a broker is."""

    def __init__(self, folder: Path):
        self.folder = folder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self._answers, "the broker to answer", timeout=30)

    def _answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_timeout=1).ping()
        except redis.ConnectionError:
            return False

    def restart(self) -> None:
        """Stop as a broker stops (its queues written out), and start again."""
        self.shut_down()
        self.start()

    def shut_down(self) -> None:
        redis.Redis(port=self.port).shutdown()
        self.process.wait(timeout=60)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def broker(tmp_path: Path):
    started = Broker(tmp_path / "broker")
    started.folder.mkdir()
    started.start()
    yield started
    started.stop()


@pytest.fixture
def queued_home(home: Path, broker: Broker) -> Path:
    """The test's archive home, with the broker; a job held by a worker that stopped is given
    to another after 10 s."""
    with open(home / "archive.toml", "a", encoding="utf-8") as settings:
        settings.write(f'broker_url = "{broker.url}"\njob_timeout = 10\n')
    return home


class Workers:
    """`archive worker` processes on the archive home, stopped at the end of the test."""

    def __init__(self, home: Path, tmp_path: Path):
        self.home, self.tmp_path = home, tmp_path
        self.started: list[subprocess.Popen] = []

    def start(self, concurrency: int = 1, queues: str = "ocr,images,index") -> subprocess.Popen:
        log = open(self.tmp_path / f"worker-{len(self.started)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "archive", "--home", str(self.home), "worker",
             "--concurrency", str(concurrency), "--queues", queues],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        self.started.append(process)
        return process

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
        for process in self.started:
            process.wait(timeout=120)


@pytest.fixture
def workers(queued_home: Path, tmp_path: Path):
    started = Workers(queued_home, tmp_path)
    yield started
    started.stop()


def job_states(home: Path) -> dict[str, int]:
    archive = Archive.open(home)
    try:
        with archive.session() as session:
            return dict(session.execute(select(Job.state, func.count()).group_by(Job.state)).all())
    finally:
        archive.close()


def all_done(home: Path, count: int):
    states = job_states(home)
    return states if states.get("done", 0) == count and len(states) == 1 else None


def running_in(home: Path, process: subprocess.Popen) -> bool:
    """Whether a job is being done by one of the processes of the worker `process`."""
    archive = Archive.open(home)
    try:
        with archive.session() as session:
            names = session.scalars(select(Job.worker).where(Job.state == "running")).all()
    finally:
        archive.close()
    return any(_parent(int(name.rsplit(" ", 1)[1])) == process.pid for name in names)


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None


def what_was_read(home: Path) -> dict[str, dict]:
    """By file name: the texts of the item's pages (every version) and its tags."""
    archive = Archive.open(home)
    try:
        with archive.session() as session:
            found = {}
            for item in session.scalars(select(Item)):
                name = item.title["vi"]
                texts = [[t.text for t in page.texts] for page in item.pages]
                tags = sorted((t.vocabulary, t.term) for t in item.tags if not t.removed)
                found[name] = {
                    "texts": texts,
                    "tags": tags,
                    "ocr": [p.ocr_status for p in item.pages],
                }
            return found
    finally:
        archive.close()


@pytest.fixture(scope="module")
def sixty_pages(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    """Sixty pages, and what ingest's own worker processes make of them, in an archive home of
    their own: made once, for the test on each database (what is read does not depend on it)."""
    from click.testing import CliRunner

    root = tmp_path_factory.mktemp("local")
    folder, home = pages(root / "inbox", 60), root / "home"
    Archive.create(home).close()
    (root / "run").mkdir()
    result, _report = Cli(CliRunner(), home, root / "run").ingest(
        folder, "--type", "document", workers=2
    )
    assert result.exit_code == 0, result.output
    return folder, what_was_read(home)


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_no_page_and_reads_none_twice(
    queued_home, workers, run, sixty_pages
):
    folder, read_locally = sixty_pages
    first, second = workers.start(), workers.start()
    result, report = run.ingest(folder, "--type", "document")
    assert result.exit_code == 0, result.output
    assert report["counts"] == {"created": 60}  # catalogued at once, read later
    wait_for(lambda: running_in(queued_home, first), "a job in the first worker", timeout=300)
    first.send_signal(signal.SIGKILL)  # mid-job: its processes end with it
    first.wait()
    # Every page read, then its images made: 120 jobs, none failed, none left.
    wait_for(lambda: all_done(queued_home, 120), "every job done", timeout=600)
    assert second.poll() is None
    queued = what_was_read(queued_home)
    assert all(len(texts) == 1 for item in queued.values() for texts in item["texts"])
    assert queued == read_locally
    assert "jobs  60 images done, 60 ocr done" in run("status").output
    # and the search index learns the texts, those the killed worker read too
    wait_for(lambda: "of 15" in run("search", "Kon Klor").output, "the texts indexed")


@pytest.mark.slow
def test_a_broker_restarted_mid_run_loses_no_job(queued_home, workers, broker, run, tmp_path):
    folder = pages(tmp_path / "inbox", 16)
    result, _report = run.ingest(folder, "--type", "document")
    assert result.exit_code == 0, result.output
    workers.start()
    wait_for(lambda: job_states(queued_home).get("done"), "a job done", timeout=300)
    assert job_states(queued_home).get("queued")  # mid-run: jobs wait on the broker
    broker.restart()
    wait_for(lambda: all_done(queued_home, 32), "every job done", timeout=600)
    read = what_was_read(queued_home)
    assert len(read) == 16
    assert all(item["ocr"] == ["done"] and len(item["texts"][0]) == 1 for item in read.values())


@pytest.mark.slow
def test_a_page_that_ends_its_worker_every_time_is_failed_with_its_reason(
    queued_home, workers, run, tmp_path
):
    with open(queued_home / "archive.toml", "a", encoding="utf-8") as settings:
        settings.write("job_tries = 2\nimages_at_ingest = false\n")
    folder = pages(tmp_path / "inbox", 1, height=1)  # a whole page: seconds of OCR
    result, _report = run.ingest(folder, "--type", "document")
    assert result.exit_code == 0, result.output
    worker = workers.start()
    for tries in (1, 2):  # the process doing the job dies, as on a page that crashes it
        pid = wait_for(lambda t=tries: _running_job(queued_home, t), f"try {tries}", timeout=300)
        assert _parent(pid) == worker.pid
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: job_states(queued_home) == {"failed": 1}, "the job failed", timeout=300)
    status = run("status")
    assert "1 ocr failed" in status.output
    assert "given up after 2 tries: the worker ended each time while on this page" in status.output
    assert what_was_read(queued_home)["trang-00"]["ocr"] == ["failed"]
    assert worker.poll() is None  # the worker goes on with other jobs

    # The page put right (here: nothing ends the worker now), `archive ocr --retry-failed` queues
    # it again, and a worker reads it.
    retried = run("ocr", "--retry-failed")
    assert retried.exit_code == 0, retried.output
    assert "1 pages queued" in retried.output
    wait_for(lambda: job_states(queued_home).get("done") == 1, "the page read", timeout=300)
    read = what_was_read(queued_home)["trang-00"]
    assert read["ocr"] == ["done"] and "Lễ hội đâm trâu" in read["texts"][0][0]
    assert "jobs of archive ocr  1 ocr done" in run("status").output


@pytest.mark.slow
def test_a_job_that_fails_with_an_error_every_time_is_failed_with_that_error(
    queued_home, workers, run, tmp_path
):
    """Not a crash: the work raises (here the shared `ocr/` folder is a file, as when a mount
    is lost), each try; once `job_tries` have, the job is failed with the error, not retried."""
    with open(queued_home / "archive.toml", "a", encoding="utf-8") as settings:
        settings.write("job_tries = 2\nimages_at_ingest = false\n")
    result, _report = run.ingest(pages(tmp_path / "inbox", 1), "--type", "document")
    assert result.exit_code == 0, result.output
    (queued_home / "ocr").rmdir()
    (queued_home / "ocr").write_text("not a folder")
    worker = workers.start()
    wait_for(lambda: job_states(queued_home) == {"failed": 1}, "the job failed", timeout=300)
    status = run("status").output
    assert "1 ocr failed" in status
    assert re.search(r"given up after 2 tries: a try failed with \w+Error: .*ocr", status), status
    assert worker.poll() is None


@pytest.mark.slow
def test_the_worker_taking_the_index_queue_is_the_one_that_indexes_what_others_read(
    queued_home, broker, workers, run, tmp_path
):
    """Machines that read pages need not write the search index: one worker takes `index`."""
    result, _report = run.ingest(pages(tmp_path / "inbox", 2), "--type", "document")
    assert result.exit_code == 0, result.output
    workers.start(queues="ocr,images")
    wait_for(lambda: all_done(queued_home, 4), "every job done", timeout=300)
    queue = redis.Redis(port=broker.port)
    wait_for(lambda: queue.llen("index") == 2, "each item's index message", timeout=60)
    assert re.search(r"\b0 of 0\b", run("search", "Kon Klor").output)  # read, not yet indexed
    indexer = workers.start(queues="index")
    wait_for(lambda: queue.llen("index") == 0, "the index messages taken", timeout=120)
    wait_for(lambda: not queue.hlen("unacked"), "the index messages done", timeout=120)
    indexer.terminate()  # a worker stopped indexes first what it was told of
    assert indexer.wait(timeout=120) == 0
    found = run("search", "Kon Klor").output
    assert re.search(r"\b1 of 1\b", found) and "trang-00" in found, found
    assert "trang-01" in run("search", "cộng đồng").output


@pytest.mark.slow
@pytest.mark.database("postgresql")
def test_pages_a_worker_reads_are_found_by_the_postgresql_search_engine(
    queued_home, workers, run, tmp_path
):
    """With `search_engine = "postgresql"` each job's unit of work writes its item's search
    document in its own transaction: found as soon as the job is done."""
    with open(queued_home / "archive.toml", "a", encoding="utf-8") as settings:
        settings.write('search_engine = "postgresql"\n')
    result, _report = run.ingest(pages(tmp_path / "inbox", 4), "--type", "document")
    assert result.exit_code == 0, result.output
    assert re.search(r"\b0 of 0\b", run("search", "Kon Klor").output)  # not read yet
    workers.start()
    wait_for(lambda: all_done(queued_home, 8), "every job done", timeout=300)
    found = run("search", "Kon Klor").output
    assert re.search(r"\b1 of 1\b", found) and "trang-00" in found, found
    assert re.search(r"\b1 of 1\b", run("search", "Đắk Glei").output)


def _running_job(home: Path, tries: int) -> int | None:
    """The process id of the worker doing the job on its `tries`th try."""
    archive = Archive.open(home)
    try:
        with archive.session() as session:
            job = session.scalar(select(Job).where(Job.state == "running", Job.tries == tries))
            return int(job.worker.rsplit(" ", 1)[1]) if job else None
    finally:
        archive.close()


def test_a_job_done_twice_writes_its_result_once(home, run, tmp_path):
    """Two tries of one job (its message given to two workers) both finish: the first result is
    written, the second is dropped; a message for a finished job only sends again what followed
    from it."""
    folder = pages(tmp_path / "inbox", 1)
    assert run.ingest(folder, "--type", "document")[0].exit_code == 0
    archive = Archive.open(home)
    try:
        with archive.change("ingest") as work:
            page = work.session.scalar(select(Page))
            job_id = jobs.records.add(work.session, "ingest", "ocr", [page], languages="vie+eng")
        [(_kind, job_id)] = job_id
        sent: list = []
        tries = [jobs._begin(archive, job_id), jobs._begin(archive, job_id)]
        for started in tries:
            result = jobs.with_languages(
                jobs.read_job(started.page, jobs.ocr_context(archive, "vie+eng"))
            )
            jobs._commit(archive, started, result, None, sent.append)
        jobs.run(archive, job_id, sent.append, lambda: None)  # the message again, after all
        with archive.session() as session:
            versions = session.scalars(select(PageText.version)).all()
            job = session.get(Job, job_id)
            assert (job.state, job.tries) == ("done", 2)
    finally:
        archive.close()
    assert versions == [1, 2]  # the ingest's reading, and the job's: once
    # Its page's images follow, once queued; sent again with the message that came again, since
    # a worker killed between its commit and the sending leaves them queued and not sent.
    assert sent == [[("images", job_id + 1)]] * 2


def test_a_broker_is_a_redis_address_or_none(home):
    from archive.errors import ConfigError
    from archive.settings import load

    assert load(home, {"broker_url": "redis://127.0.0.1:6379/0"})["broker_url"]
    with pytest.raises(ConfigError, match="broker_url must be empty or a redis:// address"):
        load(home, {"broker_url": "amqp://guest@127.0.0.1//"})


def test_a_worker_needs_a_broker_and_known_queues(run):
    result = run("worker")
    assert result.exit_code == 2
    assert "no broker: set broker_url" in result.output
    result = run("worker", "--queues", "ocr,thumbnails")
    assert result.exit_code == 2
    assert "the queues are ocr, images, index, not thumbnails" in result.output


def test_an_ingest_whose_broker_cannot_be_reached_says_so_and_reads_nothing(home, run, tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open(home / "archive.toml", "a", encoding="utf-8") as settings:
        settings.write(f'broker_url = "redis://127.0.0.1:{port}/0"\n')
    result, report = run.ingest(pages(tmp_path / "inbox", 1), "--type", "document")
    assert result.exit_code == 2
    assert f"cannot reach the broker at redis://127.0.0.1:{port}/0" in result.output
    assert report is None
    assert what_was_read(home) == {}
    assert "run " not in run("status").output  # stopped before it began


def test_the_machines_broker_answers(tmp_path):
    """The Redis every machine of the project runs, as an archive's `broker_url` names it."""
    from archive.settings import load
    from ingest.job_queue import Sender

    sender = Sender(load(tmp_path, {"broker_url": "redis://127.0.0.1:6379/0"}))
    try:
        sender.check()
    finally:
        sender.close()


def test_jobs_sent_while_their_broker_restarts_reach_it(broker):
    """As a worker sends the jobs that follow one it finished, the broker is down: they are
    sent once it is back."""
    from ingest.job_queue import Sender

    sender = Sender({"broker_url": broker.url, "job_timeout": 10})
    try:
        sender([("ocr", 1)])
        broker.shut_down()
        back = threading.Timer(2, broker.start)
        back.start()
        sender([("ocr", 2), ("images", 3)])
        back.join()
    finally:
        sender.close()
    waiting = redis.Redis(port=broker.port)
    assert (waiting.llen("ocr"), waiting.llen("images")) == (2, 1)


def test_a_job_whose_followers_cannot_be_sent_goes_back_to_the_queue(
    home, run, tmp_path, monkeypatch
):
    """The page is read and committed, but the broker fails as its images job is sent: the
    message is not acknowledged but given back, and its next delivery sends that job."""
    from celery.exceptions import Reject

    from ingest import job_queue

    def broker_gone(_jobs):
        raise ConnectionError("the broker went away")

    assert run.ingest(pages(tmp_path / "inbox", 1), "--type", "document")[0].exit_code == 0
    archive = Archive.open(home)
    try:
        with archive.change("ingest") as work:
            page = work.session.scalar(select(Page))
            [(_kind, job_id)] = jobs.records.add(
                work.session, "ingest", "ocr", [page], languages="vie"
            )
        job_queue._WORKER.update(home=home, archive=archive, index=lambda: None)
        job_queue._WORKER["sender"] = broker_gone
        monkeypatch.setattr(job_queue, "GIVE_BACK_AFTER", 0)
        with pytest.raises(Reject) as given_back:
            job_queue._run(job_id)
        assert given_back.value.requeue
        sent: list = []
        jobs.run(archive, job_id, sent.append, lambda: None)
    finally:
        job_queue._WORKER.clear()
        archive.close()
    assert job_states(home) == {"done": 1, "queued": 1}
    assert sent == [[("images", job_id + 1)]]


def test_jobs_an_earlier_run_committed_but_never_sent_are_sent_by_the_next(
    queued_home, broker, run, tmp_path
):
    """`archive derivatives` ended between committing its jobs and sending them (here: a job
    written and never sent, a minute ago): the next run sends it with its own."""
    from datetime import timedelta

    from archive.models import utcnow

    assert run.ingest(pages(tmp_path / "inbox", 1), "--type", "document")[0].exit_code == 0
    archive = Archive.open(queued_home)
    try:
        with archive.change("derivatives") as work:
            page = work.session.scalar(select(Page))
            [(_kind, lost)] = jobs.records.add(work.session, "derivatives", "images", [page])
            work.session.get(Job, lost).queued_at = utcnow() - timedelta(minutes=1)
    finally:
        archive.close()
    result = run("derivatives", "--all")
    assert result.exit_code == 0, result.output
    assert "1 pages queued" in result.output
    waiting = redis.Redis(port=broker.port).lrange("images", 0, -1)
    sent = [json.loads(base64.b64decode(json.loads(message)["body"]))[0] for message in waiting]
    assert sorted(sent) == [[lost], [lost + 1]]
