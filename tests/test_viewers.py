"""The catalogue's IIIF in the viewers partners use: Mirador 4 and Universal Viewer 4, from the
npm registry (devDependencies: `make assets` installs them; the catalogue never serves them),
in Debian's Chromium, headless, through Playwright. The viewers are served from another address
than the catalogue's, as on a partner's site, so CORS is exercised too. Each loads an item's
manifest and an exhibition's from `archive serve` (its base_url the address it is served at),
and must draw the image from its tiles, draw the thumbnails, and list the exhibition's sections;
an exported exhibition must draw from a plain static server with the catalogue stopped."""

from __future__ import annotations

import functools
import http.server
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from PIL import Image, ImageStat

from tests.conftest import first_line

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MIRADOR = ROOT / "node_modules" / "mirador" / "dist" / "mirador.min.js"
UV = ROOT / "node_modules" / "universalviewer" / "dist"
ARTIFACTS = ROOT / "test-artifacts"
PHOTO_EXHIBITION = "quyen-con-nguoi-qua-anh"  # written by demo.exhibitions
SECTIONS = {"vi": ["Cộng đồng và làng", "Học tập và đời sống"],
            "en": ["Community and village", "Schooling and daily life"]}  # fmt: skip
WAIT_MS = 30_000
FLAT = 10  # pixel standard deviation below which a screenshot is one flat colour
TILE = re.compile(r"/iiif/images/[^/]+/\d+/\d+,\d+,\d+,\d+/\d+,\d+/0/default\.jpg$")
WHOLE = re.compile(r"/iiif/images/[^/]+/\d+/full/[^/]+/0/default\.jpg$")

# Mirador 4 on a page of its own, as a partner embeds it: the manifest given in the address.
MIRADOR_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Mirador</title></head>
<body style="margin: 0">
<div id="viewer" style="position: absolute; inset: 0"></div>
<script src="mirador.min.js"></script>
<script>
  Mirador.viewer({
    id: "viewer",
    windows: [{
      manifestId: new URLSearchParams(location.search).get("manifest"),
      thumbnailNavigationPosition: "far-bottom",
    }],
    window: {sideBarOpen: true, defaultSideBarPanel: "canvas"},
  });
</script>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------
# Servers


class _Files(http.server.SimpleHTTPRequestHandler):
    """A plain static server, quiet, sending its server's `headers` with every answer."""

    def end_headers(self) -> None:
        for name, value in self.server.headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Static:
    """A folder served over HTTP by a thread of this process, at `address`, with `headers`
    (none at first) added to every answer."""

    def __init__(self, folder: Path):
        handler = functools.partial(_Files, directory=folder)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.headers = {}
        self.address = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def viewers(tmp_path_factory) -> Iterator[str]:
    """The address of the viewers' pages: `/mirador/?manifest=URL`, `/uv/uv.html#?manifest=URL`."""
    assert MIRADOR.exists() and (UV / "uv.html").exists(), "run `make assets` (npm ci)"
    root = tmp_path_factory.mktemp("viewers")
    (root / "mirador").mkdir()
    (root / "mirador" / "index.html").write_text(MIRADOR_PAGE, encoding="utf-8")
    (root / "mirador" / "mirador.min.js").symlink_to(MIRADOR)
    (root / "uv").symlink_to(UV, target_is_directory=True)
    static = Static(root)
    yield static.address
    static.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def catalogue(catalogue_home: dict) -> Iterator[str]:
    """`archive serve` over the catalogue archive, its base_url the address it is served at (as
    a catalogue in production is), so that the ids of its manifests lead back to it."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    home = str(catalogue_home["home"])
    process = subprocess.Popen(
        [sys.executable, "-m", "archive", "--home", home, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "ARCHIVE_BASE_URL": base},
    )
    try:
        line = first_line(process, timeout=60)
        assert f"{base}/" in line, line + process.stderr.read()
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors


# ---------------------------------------------------------------------------------------------
# A watched page


@dataclass
class Watched:
    """A viewer's page, with every image of a IIIF image service it was answered."""

    page: Any
    images: list[tuple[str, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.set_default_timeout(WAIT_MS)
        self.page.on("response", self._response)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _response(self, response) -> None:
        if "/iiif/images/" in response.url and response.url.endswith(".jpg"):
            self.images.append((response.url, response.status))

    def tiles(self) -> list[tuple[str, int]]:
        return [(url, status) for url, status in self.images if TILE.search(url)]

    def wholes(self) -> list[tuple[str, int]]:
        return [(url, status) for url, status in self.images if WHOLE.search(url)]


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    yield Watched(context.new_page())
    context.close()


def _shot(locator) -> Image.Image:
    return Image.open(BytesIO(locator.screenshot())).convert("L")


def draws(watched: Watched) -> None:
    """Wait until the viewer has drawn its image from tiles, each answered 200."""
    page = watched.page
    canvas = page.locator(".openseadragon-canvas canvas").first
    canvas.wait_for(state="visible")
    if not watched.tiles():  # events come in only while Playwright is called: none is missed
        page.wait_for_event("response", lambda response: bool(TILE.search(response.url)))
    shot = _shot(canvas)
    for _ in range(120):  # the tiles fade in: look again until the picture is there
        if ImageStat.Stat(shot).stddev[0] > FLAT:
            break
        page.wait_for_timeout(250)
        shot = _shot(canvas)
    assert all(status == 200 for _, status in watched.tiles()), watched.tiles()
    assert ImageStat.Stat(shot).stddev[0] > FLAT, "the viewer drew nothing but a flat colour"


def thumbnails_draw(watched: Watched, selector: str, count: int) -> list[str]:
    """Wait until `count` thumbnails (images matching `selector`) are drawn; their addresses,
    each answered 200, or redirected to one answered 200."""
    watched.page.wait_for_function(
        """([selector, count]) => {
            const shown = Array.from(document.querySelectorAll(selector));
            return shown.length >= count && shown.every(i => i.complete && i.naturalWidth > 0);
        }""",
        arg=[selector, count],
    )
    sources = watched.page.eval_on_selector_all(selector, "all => all.map(i => i.src)")
    assert all(status in (200, 302, 303) for _, status in watched.images), watched.images
    return sources


def lists_sections(watched: Watched) -> None:
    for vi, en in zip(SECTIONS["vi"], SECTIONS["en"], strict=True):
        section = watched.page.get_by_text(re.compile(f"^({re.escape(vi)}|{re.escape(en)})$"))
        section.first.wait_for(state="visible")


def save(watched: Watched, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(ARTIFACTS / f"viewer-{name}.png"))


def mirador(viewers: str, manifest: str) -> str:
    return f"{viewers}/mirador/?{urlencode({'manifest': manifest})}"


def universal_viewer(viewers: str, manifest: str) -> str:
    return f"{viewers}/uv/uv.html#?{urlencode({'manifest': manifest})}"


# Both viewers draw their images in a canvas, and their thumbnails as <img> elements.
THUMBNAILS = "img[src*='/iiif/images/']"


# ---------------------------------------------------------------------------------------------
# An exported exhibition, with the catalogue stopped


def test_an_exported_exhibition_draws_in_mirador_from_a_static_server_alone(
    watched, viewers, catalogue_home, tmp_path
):
    from click.testing import CliRunner

    from archive.cli import cli

    home = catalogue_home["home"]
    site = tmp_path / "published"
    out = site / "trien-lam"
    # Served as the shipped nginx settings make nginx serve it; nothing else is running.
    static = Static(site)
    try:
        base = f"{static.address}/trien-lam"
        definition = home / "exhibitions" / f"{PHOTO_EXHIBITION}.yaml"
        result = CliRunner().invoke(
            cli,
            ["--home", str(home), "exhibition", "export", str(definition), "--out", str(out),
             "--base-url", base],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        static.server.headers.update(nginx_headers(out))
        asked: list[str] = []
        watched.page.on("request", lambda request: asked.append(request.url))
        watched.page.goto(
            mirador(viewers, f"{base}/iiif/exhibitions/{PHOTO_EXHIBITION}/manifest.json")
        )
        draws(watched)
        thumbnails_draw(watched, THUMBNAILS, 3)
        lists_sections(watched)
        save(watched, "mirador-exported")
    finally:
        static.close()
    elsewhere = [url for url in asked if not url.startswith((static.address, viewers, "data:"))]
    assert elsewhere == [], elsewhere
    assert watched.errors == []


def nginx_headers(site: Path) -> dict[str, str]:
    """The headers the site's cors/nginx.conf has nginx add to every answer."""
    text = (site / "cors" / "nginx.conf").read_text(encoding="utf-8")
    found = re.findall(r'^add_header ([\w-]+) "?([^";]+)"? always;$', text, re.M)
    assert found, text
    return dict(found)


# ---------------------------------------------------------------------------------------------
# Mirador 4 and Universal Viewer 4 on the catalogue


def test_mirador_draws_an_item_and_its_thumbnail(watched, viewers, catalogue, catalogue_home):
    accession = catalogue_home["ids"]["ke-hoach.pdf"]
    watched.page.goto(mirador(viewers, f"{catalogue}/iiif/items/{accession}/manifest.json"))
    draws(watched)
    thumbnails_draw(watched, THUMBNAILS, 1)
    save(watched, "mirador-item")
    assert watched.errors == []


def test_mirador_lists_an_exhibition_s_sections_and_draws_its_images(watched, viewers, catalogue):
    manifest = f"{catalogue}/iiif/exhibitions/{PHOTO_EXHIBITION}/manifest.json"
    watched.page.goto(mirador(viewers, manifest))
    draws(watched)
    thumbnails_draw(watched, THUMBNAILS, 3)
    lists_sections(watched)
    save(watched, "mirador-exhibition")
    assert watched.errors == []


def test_universal_viewer_draws_an_item(watched, viewers, catalogue, catalogue_home):
    # UV shows no thumbnails for a single image: they are seen with the exhibition below.
    accession = catalogue_home["ids"]["ke-hoach.pdf"]
    watched.page.goto(
        universal_viewer(viewers, f"{catalogue}/iiif/items/{accession}/manifest.json")
    )
    draws(watched)
    save(watched, "uv-item")
    assert watched.errors == []


def test_universal_viewer_lists_an_exhibition_s_sections_and_draws_its_thumbnails(
    watched, viewers, catalogue
):
    manifest = f"{catalogue}/iiif/exhibitions/{PHOTO_EXHIBITION}/manifest.json"
    watched.page.goto(universal_viewer(viewers, manifest))
    draws(watched)
    shown = thumbnails_draw(watched, THUMBNAILS, 3)
    assert all(source.endswith("/full/90,/0/default.jpg") for source in shown), shown
    watched.page.get_by_text("Index", exact=True).click()
    lists_sections(watched)
    save(watched, "uv-exhibition")
    assert watched.errors == []
