"""Exhibitions from curators' definitions, as a curator runs them: `archive exhibition check`,
`build` and `export`, and the exported site served by a plain static web server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from demo.samples import make_photo
from iiif import conformance
from tests.conftest import first_line, text_pdf, tile_paths, wait_for


@pytest.fixture
def exhibited(run, tmp_path):
    """An archive with three photos (one restricted) and a two-page document: their ids."""
    photos = tmp_path / "photos"
    for seed in range(2):
        make_photo(photos / f"photo-{seed}.jpg", width=1400, height=900, seed=seed)
    _, report = run.ingest(photos, "--collection", "kon-tum/anh")
    hidden = tmp_path / "hidden"
    make_photo(hidden / "secret.jpg", width=600, height=400, seed=7)
    _, hidden_report = run.ingest(hidden, "--access", "restricted")
    document = tmp_path / "documents"
    text_pdf(document / "ke-hoach.pdf", ["Ke hoach tuyen truyen", "quyen con nguoi"])
    _, doc_report = run.ingest(document, "--type", "document")
    ids = [entry["item"] for entry in report["inputs"]]
    return {
        "photos": sorted(ids),
        "restricted": hidden_report["inputs"][0]["item"],
        "document": doc_report["inputs"][0]["item"],
    }


def definition(path: Path, ids: dict, **changes) -> Path:
    photos = ids["photos"]
    text = f"""\
id: quyen-con-nguoi-2024
kind: photo
title: {{vi: "Quyền con người ở Kon Tum", en: "Human rights in Kon Tum"}}
summary: {{vi: "Ảnh và tài liệu <b>lưu trữ</b>", en: "Photographs and documents"}}
partner: {{vi: "Bộ Thông tin và Truyền thông", en: "Ministry of Information and Communications"}}
venue: {{vi: "Bảo tàng tỉnh Kon Tum", en: "Kon Tum Provincial Museum"}}
dates: {{start: 2024-12-10, end: 2024-12-20}}
curators: ["Nguyễn Văn A"]
rights: http://rightsstatements.org/vocab/InC-EDU/1.0/
attribution: {{vi: "Lưu trữ lịch sử tỉnh Kon Tum", en: "Kon Tum Provincial Archives"}}
sections:
  - title: {{vi: "Làng", en: "Village"}}
    text: {{vi: "Nhà rông và lễ hội.", en: "Communal houses and festivals."}}
    items:
      - item: {photos[1]}
        caption: {{vi: "Nhà rông <script>alert(1)</script>", en: "A communal house"}}
      - item: {photos[0]}
        caption: {{vi: "Lễ hội", en: "A festival"}}
  - title: {{vi: "Văn bản", en: "Documents"}}
    items:
      - item: {ids["document"]}
        caption: {{vi: "Kế hoạch", en: "A plan"}}
        pages: [1]
"""
    for old, new in changes.items():
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def test_check_passes_a_good_definition(run, exhibited, tmp_path):
    result = run("exhibition", "check", definition(tmp_path / "e.yaml", exhibited))
    assert result.exit_code == 0, result.output
    assert "2 sections, 3 items: no problems" in result.output


def test_check_names_each_problem_with_its_line(run, exhibited, tmp_path):
    path = definition(
        tmp_path / "e.yaml",
        exhibited,
        **{
            f"- item: {exhibited['photos'][0]}": f"- item: {exhibited['restricted']}",
            "pages: [1]": "pages: [1, 5]",
            "curators:": "curator:",
        },
    )
    result = run("exhibition", "check", path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith(f"{path}:8:") and "curator" in line for line in lines), lines
    assert any(line.startswith(f"{path}:17:") and exhibited["restricted"] in line for line in lines)
    assert any(line.startswith(f"{path}:23:") and "5" in line for line in lines), lines


def test_build_writes_a_valid_manifest_and_the_collections(run, exhibited, tmp_path, home):
    out = tmp_path / "iiif"
    result = run("exhibition", "build", definition(tmp_path / "e.yaml", exhibited), "--out", out)
    assert result.exit_code == 0, result.output
    written = [Path(line) for line in result.output.splitlines()]
    assert out / "exhibitions/quyen-con-nguoi-2024/manifest.json" in written
    assert out / "collections/exhibitions.json" in written
    assert out / "collections/archive.json" in written
    for path in written:
        assert conformance.problems(json.loads(path.read_text(encoding="utf-8"))) == [], path
    manifest = json.loads((out / "exhibitions/quyen-con-nguoi-2024/manifest.json").read_text())
    canvases = manifest["items"]
    assert len(canvases) == 3  # two photos and the one page asked for, in the curator's order
    assert canvases[0]["label"]["vi"] == ["Nhà rông <script>alert(1)</script>"]
    bodies = [c["items"][0]["items"][0]["body"] for c in canvases]
    services = [body["service"][0]["id"] for body in bodies]
    assert services == [
        f"http://localhost:8000/iiif/images/{exhibited['photos'][1]}/1",
        f"http://localhost:8000/iiif/images/{exhibited['photos'][0]}/1",
        f"http://localhost:8000/iiif/images/{exhibited['document']}/1",
    ]
    assert [len(r["items"]) for r in manifest["structures"]] == [2, 1]
    listed = json.loads((out / "collections/exhibitions.json").read_text())
    assert [m["id"] for m in listed["items"]] == [manifest["id"]]
    # The archive's Collection leads to the items' manifests written beside it, page by page.
    top = json.loads((out / "collections/archive.json").read_text())
    assert [m["id"].rsplit("/", 1)[1] for m in top["items"]] == ["exhibitions.json", "items.json"]
    items = json.loads((out / "collections/items.json").read_text())
    page = json.loads((out / "collections" / items["items"][0]["id"].rsplit("/", 1)[1]).read_text())
    shown = sorted([*exhibited["photos"], exhibited["document"]])
    assert [m["id"] for m in page["items"]] == [
        f"http://localhost:8000/iiif/items/{accession}/manifest.json" for accession in shown
    ]
    assert all((out / f"items/{accession}/manifest.json").exists() for accession in shown)


SITE = "https://bo.example.gov.vn/trien-lam/quyen-con-nguoi"  # where the Ministry publishes it


def export(run, exhibited, tmp_path, base_url: str = SITE):
    out = tmp_path / "site"
    path = definition(tmp_path / "e.yaml", exhibited)
    result = run("exhibition", "export", path, "--out", out, "--base-url", base_url)
    assert result.exit_code == 0, result.output
    return out


def test_export_is_a_static_site_with_only_the_images_it_shows(run, exhibited, tmp_path, home):
    out = export(run, exhibited, tmp_path)
    images = sorted(
        p.relative_to(out / "iiif/images").as_posix() for p in out.glob("iiif/images/*/*")
    )
    assert images == sorted(
        [f"{exhibited['photos'][0]}/1", f"{exhibited['photos'][1]}/1", f"{exhibited['document']}/1"]
    )
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "Nhà rông &lt;script&gt;" in page
    links = re.findall(r'(?:href|src|data-info)="([^"]+)"', page)
    assert links and not [link for link in links if "//" in link or link.startswith("/")]
    assert '<link rel="icon" href="favicon.svg"' in page
    with _served(out) as base:
        for link in links:
            if link.startswith("#"):
                continue
            with urllib.request.urlopen(f"{base}/{link}") as response:
                assert response.status == 200, link
        for info_url in re.findall(r'data-info="([^"]+)"', page):
            _fetch_every_tile(f"{base}/{info_url}")


def test_the_exported_site_says_everything_the_catalogue_page_says_in_each_language(
    run, exhibited, tmp_path
):
    out = export(run, exhibited, tmp_path)
    vi = (out / "index.html").read_text(encoding="utf-8")
    en = (out / "index.en.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in vi and '<html lang="en">' in en
    assert 'href="index.en.html" hreflang="en"' in vi and 'href="index.html" hreflang="vi"' in en
    for page, words in (
        (vi, ["Bộ Thông tin và Truyền thông", "Bảo tàng tỉnh Kon Tum", "Lễ hội", "Làng"]),
        (en, ["Ministry of Information and Communications", "Kon Tum Provincial Museum"]),
        (en, ["A festival", "Village", "Communal houses and festivals.", "Human rights in"]),
    ):
        assert all(word in page for word in words), [w for w in words if w not in page]
    assert "ngày 10 tháng 12 năm 2024" in vi and "ngày 20 tháng 12 năm 2024" in vi
    assert "10 December 2024" in en and "20 December 2024" in en
    assert "2024-12-10<" not in vi + en  # never the ISO form shown
    for page in (vi, en):
        assert "Nguyễn Văn A" in page
        assert "http://rightsstatements.org/vocab/InC-EDU/1.0/" in page
    assert "Người tuyển chọn" in vi and "Curators" in en and "Rights" in en


def test_an_export_to_a_zip_file_holds_the_whole_site_in_one_folder(run, exhibited, tmp_path):
    import zipfile

    target = tmp_path / "site.zip"
    path = definition(tmp_path / "e.yaml", exhibited)
    result = run("exhibition", "export", path, "--out", target, "--base-url", SITE)
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(target).namelist()
    slug = "quyen-con-nguoi-2024"
    assert {f"{slug}/index.html", f"{slug}/index.en.html", f"{slug}/README.txt"} <= set(names)
    assert f"{slug}/iiif/exhibitions/{slug}/manifest.json" in names
    assert all(name.startswith(f"{slug}/") for name in names)


def _ids(node, inside: str = "") -> list[tuple[str, str]]:
    """(property it is under, id) of every resource in a IIIF document."""
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("id"), str):
            found.append((inside, node["id"]))
        for key, value in node.items():
            special = not inside and key in ("homepage", "partOf", "provider")
            found += _ids(value, key if special else inside)
    elif isinstance(node, list):
        for value in node:
            found += _ids(value, inside)
    return found


def test_an_export_names_the_address_it_will_be_published_at_in_every_id(run, exhibited, tmp_path):
    out = export(run, exhibited, tmp_path, base_url=SITE + "/")  # a trailing slash is dropped
    manifest = json.loads((out / "iiif/exhibitions/quyen-con-nguoi-2024/manifest.json").read_text())
    assert conformance.problems(manifest) == []
    assert manifest["id"] == f"{SITE}/iiif/exhibitions/quyen-con-nguoi-2024/manifest.json"
    assert manifest["homepage"][0]["id"] == f"{SITE}/"
    own = [(inside, i) for inside, i in _ids(manifest) if inside not in ("partOf", "provider")]
    own = [(inside, i) for inside, i in own if not (inside == "homepage" and "/items/" in i)]
    assert own and all(i.startswith(f"{SITE}/") for _, i in own), own
    # What the ids name is in the folder, where they say.
    for service in {i for _, i in own if "/iiif/images/" in i and not i.endswith(".jpg")}:
        folder = out / service.removeprefix(f"{SITE}/")
        assert json.loads((folder / "info.json").read_text())["id"] == service
    for image in {i for _, i in own if i.endswith(".jpg")}:
        assert (out / image.removeprefix(f"{SITE}/")).is_file(), image
    # The references to the catalogue's own records keep its address.
    parts = {i for inside, i in _ids(manifest) if inside == "partOf"}
    assert parts == {
        f"http://localhost:8000/iiif/items/{accession}/manifest.json"
        for accession in [*exhibited["photos"], exhibited["document"]]
    }


def test_an_export_without_the_address_it_will_be_published_at_is_refused(run, exhibited, tmp_path):
    path = definition(tmp_path / "e.yaml", exhibited)
    result = run("exhibition", "export", path, "--out", tmp_path / "site")
    assert result.exit_code == 2 and "--base-url" in result.output
    result = run("exhibition", "export", path, "--out", tmp_path / "site", "--base-url", "site/")
    assert result.exit_code == 2 and "http" in result.output
    assert not (tmp_path / "site").exists()


def test_an_export_carries_cors_settings_for_apache_and_nginx_and_says_so(run, exhibited, tmp_path):
    out = export(run, exhibited, tmp_path)
    apache = (out / ".htaccess").read_text()
    assert 'Header always set Access-Control-Allow-Origin "*"' in apache
    nginx = (out / "cors/nginx.conf").read_text()
    assert 'add_header Access-Control-Allow-Origin "*" always;' in nginx
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert f"{SITE}/" in readme and "Quyền con người ở Kon Tum" in readme
    assert ".htaccess" in readme and "cors/nginx.conf" in readme


def _fetch_every_tile(info_url: str) -> None:
    with urllib.request.urlopen(info_url) as response:
        info = json.load(response)
    service = info_url.removesuffix("/info.json")
    for path in tile_paths(info):
        with urllib.request.urlopen(f"{service}/{path}") as response:
            assert response.status == 200, path


class _served:
    """`python -m http.server` over a folder, as a kiosk or any static host would serve it."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self) -> str:
        # Port 0: the system gives a free one, which the server prints once it is listening.
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
            cwd=self.folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = first_line(self.process, timeout=60)
        found = re.search(r"port (\d+)", line)
        if not found:
            self.__exit__()
            raise RuntimeError(f"the static server did not start: {line!r}")
        return f"http://127.0.0.1:{found[1]}"

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait()
        self.process.stdout.close()


@pytest.mark.slow
def test_the_exported_site_shows_tiles_and_sections_in_a_browser(run, exhibited, tmp_path, browser):
    from io import BytesIO

    from PIL import Image, ImageStat

    out = export(run, exhibited, tmp_path)
    tiles: list[str] = []
    outside: list[str] = []  # a kiosk has no network: nothing may be asked beyond the folder
    with _served(out) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.on(
                "response",
                lambda r: tiles.append(r.url) if r.url.endswith("/default.jpg") and r.ok else None,
            )
            page.on(
                "request", lambda r: None if r.url.startswith(f"{base}/") else outside.append(r.url)
            )
            page.goto(f"{base}/index.html")
            assert page.locator("nav.sections li.section").count() == 2
            assert page.locator("nav.sections").is_visible()
            page.wait_for_function(
                "() => document.querySelector('#viewer canvas') !== null", timeout=15000
            )

            def drawn_picture():  # the tiles arrived and were drawn: more than a flat colour
                shot = Image.open(BytesIO(page.locator("#viewer").screenshot())).convert("L")
                return shot if ImageStat.Stat(shot).stddev[0] > 10 else None

            wait_for(drawn_picture, "the viewer to draw its first tiles", timeout=30)
            artifacts = Path(__file__).parent.parent / "test-artifacts"
            artifacts.mkdir(exist_ok=True)
            page.screenshot(path=str(artifacts / "exhibition-export.png"), full_page=True)
            document = f"/iiif/images/{exhibited['document']}/1/"

            def document_tile(response) -> bool:
                return document in response.url and response.url.endswith("/default.jpg")

            with page.expect_response(document_tile, timeout=30000):
                page.locator("button.entry").nth(2).click()
            page.get_by_role("link", name="English").click()
            page.wait_for_url(f"{base}/index.en.html")
            assert page.locator("h1").inner_text() == "Human rights in Kon Tum"
            page.wait_for_function("() => document.querySelector('#viewer canvas') !== null")
        finally:
            page.close()
    assert outside == []
    drawn = {re.sub(r"^.*/iiif/images/([^/]+/\d+)/.*$", r"\1", url) for url in tiles}
    assert f"{exhibited['photos'][1]}/1" in drawn
    assert f"{exhibited['document']}/1" in drawn  # the third entry, once chosen
