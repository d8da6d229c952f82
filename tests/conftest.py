"""Fixtures: every test starts from a fresh, real archive home in a temporary folder."""

from __future__ import annotations

import json
import math
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from archive.cli import cli
from archive.home import Archive
from tests import databases

DATA = Path(__file__).parent / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=",".join(databases.DATABASES),
        help="the databases the tests run on, comma-separated (default: %(default)s)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "database(*names): the only databases a test runs on (the home's SQLite file)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test using an archive runs once per database (tests/databases.py)."""
    names = databases.for_test(metafunc.config, metafunc.definition.get_closest_marker("database"))
    for fixture, scope in (("database", "function"), ("shared_database", "session")):
        if fixture in metafunc.fixturenames:
            metafunc.parametrize(fixture, names, indirect=True, scope=scope)


@pytest.fixture
def database(request) -> Iterator[databases.Database]:
    """The database of this test's archive homes (`database.prepare(home)` before making one)."""
    chosen = databases.Database(request.param)
    yield chosen
    chosen.drop()


@pytest.fixture(scope="session")
def shared_database(request) -> Iterator[databases.Database]:
    """The database of the archive homes tests share (built once per database)."""
    chosen = databases.Database(request.param)
    yield chosen
    chosen.drop()


@pytest.fixture
def home(tmp_path: Path, database: databases.Database) -> Path:
    path = database.prepare(tmp_path / "home")
    Archive.create(path).close()
    return path


@pytest.fixture
def archive(home: Path):
    opened = Archive.open(home)
    yield opened
    opened.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class Cli:
    """Runs `archive --home HOME ...` in this process, as a user would from a shell."""

    def __init__(self, runner: CliRunner, home: Path, tmp_path: Path):
        self.runner, self.home, self.tmp_path = runner, home, tmp_path

    def __call__(self, *args: str):
        return self.runner.invoke(cli, ["--home", str(self.home), *map(str, args)])

    def ingest(self, *args, workers: int = 1):
        """Ingest and return (result, report as a dict)."""
        report = self.tmp_path / "report.json"
        result = self("ingest", *args, "--workers", workers, "--report", report)
        data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else None
        return result, data


@pytest.fixture
def run(runner: CliRunner, home: Path, tmp_path: Path) -> Cli:
    return Cli(runner, home, tmp_path)


def outcomes(report: dict) -> dict[str, dict]:
    """Report entries keyed by the input's file name."""
    return {Path(entry["input"]).name: entry for entry in report["inputs"]}


def make_image(path: Path, size=(64, 48), color=(200, 30, 30), fmt=None, **save) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "L" if isinstance(color, int) else "RGB"
    Image.new(mode, size, color).save(path, format=fmt, **save)
    return path


def client_tiles(info: dict) -> Iterator[tuple[str, str]]:
    """(region, size) of every tile, as the Image API's tile algorithm computes them."""
    for tile in info["tiles"]:
        tw, th = tile["width"], tile.get("height", tile["width"])
        for s in tile["scaleFactors"]:
            for y in range(0, math.ceil(info["height"] / (th * s))):
                for x in range(0, math.ceil(info["width"] / (tw * s))):
                    rx, ry = x * tw * s, y * th * s
                    rw, rh = min(tw * s, info["width"] - rx), min(th * s, info["height"] - ry)
                    yield f"{rx},{ry},{rw},{rh}", f"{math.ceil(rw / s)},{math.ceil(rh / s)}"


def tile_paths(info: dict) -> list[str]:
    """The path below the image service of every tile `info` implies."""
    return [f"{region}/{size}/0/default.jpg" for region, size in client_tiles(info)]


def first_line(process: subprocess.Popen, timeout: float) -> str:
    """The first line a process writes to its stdout (a server's address), or "" when it has
    written none after `timeout` seconds."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    try:
        return process.stdout.readline() if selector.select(timeout) else ""
    finally:
        selector.close()


@contextmanager
def serving(home: Path) -> Iterator[str]:
    """`archive serve --port 0` of `home`, in a process of its own: its address while it runs;
    then it is stopped as Ctrl-C stops it, and must end cleanly."""
    command = [sys.executable, "-m", "archive", "--home", str(home), "serve", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = first_line(process, timeout=60)
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert found, line + process.stderr.read()
        yield found.group(0)
    finally:
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors


POLL_SECONDS = 0.005  # how often `wait_for` looks again


def wait_for(condition, what: str, timeout: float = 120.0):
    """The first true value `condition()` returns, looked for again and again until `timeout`
    seconds have passed; then the test fails, saying `what` was awaited. A test waits for a
    state this way, never for a guessed time."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        time.sleep(POLL_SECONDS)


def copy_sample(name: str, to: Path) -> Path:
    """A real file from tests/data (see tests/data/*/SOURCES.md) copied into a work folder."""
    to.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(DATA / name, to))


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A PNG whose header claims width × height pixels (its data is a few bytes): what a
    decompression bomb looks like before anything decodes it."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (1 + width // 8) * 4)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def text_pdf(path: Path, lines: list[str], *, size=(612, 792), rotate: int = 0, crop=None) -> Path:
    """A one-page PDF whose text is a real text layer (Helvetica), written by hand, as
    born-digital documents are: its text is kept, not OCR'd. `size` is the MediaBox in points
    (14400×14400 asks for 60,000×60,000 pixels at 300 dpi, in a file of 600 bytes); `crop`
    an optional CropBox."""
    shown = " ".join(f"({line}) Tj T*" for line in lines)
    stream = f"BT /F1 12 Tf 16 TL 72 {size[1] - 72} Td {shown}"
    crop_box = f"/CropBox [0 0 {crop[0]} {crop[1]}] " if crop else ""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size[0]} {size[1]}] {crop_box}"
        f"/Rotate {rotate} /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(stream) + 3} >>\nstream\n{stream} ET\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, 1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n{content}\nendobj\n".encode("latin-1")
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    body += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


# The online catalogue's tests share one archive, built once: the catalogue only reads it.

RESTRICTED_TITLE = "Hồ sơ mật BIMAT-7731"  # must never be seen by the public, in any form


@pytest.fixture(scope="session")
def catalogue_home(tmp_path_factory, shared_database) -> dict:
    """An archive home with public photos (GPS, dates, Vietnamese and English titles), a public
    document with a text layer, a restricted photo and a restricted document, both
    collections, the search index, and an exhibition; its ids by role."""
    from demo.exhibitions import write as write_exhibitions
    from demo.samples import make_photo

    root = tmp_path_factory.mktemp("catalogue")
    home = shared_database.prepare(root / "home")
    cli_run = Cli(CliRunner(), home, root)
    assert cli_run("init").exit_code == 0
    photos, documents, hidden = root / "photos", root / "documents", root / "hidden"
    places = [(14.35, 108.0), (14.69, 107.7), (14.2, 107.9)]
    for n, gps in enumerate(places):
        make_photo(photos / f"anh-{n}.jpg", width=900, height=600, seed=n, gps=gps)
    (photos / "metadata.csv").write_text(
        "file,title,title_en,date,subject\n"
        'anh-0.jpg,Nhà rông làng Kon Klor,The Kon Klor communal house,1975,"nhà rông"\n'
        "anh-1.jpg,Lễ hội đâm trâu,Buffalo festival,1998,lễ hội\n"
        "anh-2.jpg,Trường học ở Đắk Glei,A school in Dak Glei,2019,giáo dục\n",
        encoding="utf-8",
    )
    text_pdf(
        documents / "ke-hoach.pdf",
        ["Ke hoach tuyen truyen ve quyen con nguoi", "Cong uoc ve Quyen tre em"],
    )
    make_photo(hidden / "mat.jpg", width=600, height=400, seed=9)
    (hidden / "metadata.csv").write_text(
        f"file,title,access\nmat.jpg,{RESTRICTED_TITLE},restricted\n", encoding="utf-8"
    )
    text_pdf(hidden / "mat.pdf", ["BIMAT-7731 ho so mat"])
    ids = {}
    for folder, options in (
        (photos, ["--collection", "kon-tum/anh"]),
        (documents, ["--collection", "kon-tum/van-ban", "--type", "document"]),
        (hidden, ["--collection", "kon-tum/mat", "--access", "restricted"]),
    ):
        result, report = cli_run.ingest(folder, *options)
        assert report is not None, result.output
        for entry in report["inputs"]:
            if entry.get("item"):
                ids[Path(entry["input"]).name] = entry["item"]
    for definition in write_exhibitions(home):  # drafts until published
        published = cli_run("exhibition", "publish", definition)
        assert published.exit_code == 0, published.output
    return {"home": home, "ids": ids}


@pytest.fixture(scope="session")
def catalogue_app(catalogue_home):
    from catalogue.app import create_app

    app = create_app(catalogue_home["home"])
    app.testing = True
    yield app
    app.extensions["search"].close()
    app.extensions["archive"].close()


@pytest.fixture
def client(catalogue_app):
    return catalogue_app.test_client()


CHROMIUM = "/usr/bin/chromium"  # Debian's: Playwright never downloads a browser here


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test of the run: Playwright's sync API allows
    one driver per thread, so the tests share it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()
