"""The catalogue in a real browser: Debian's Chromium, headless, driven by Playwright, against
`archive serve` over the shared catalogue archive, as a visitor uses it: searching without
diacritics, the deep-zoom viewer drawing its tiles, the language switch, searching inside a
document, an exhibition; an accessibility audit (axe-core, from the npm registry through
package.json) of the main pages in both languages, and no error in the browser's console.
Screenshots of the pages go to test-artifacts/."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from PIL import Image, ImageStat

from tests.conftest import Cli, serving

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
# A tile of a level-0 image service (the public one, or the workspace's): region and size in
# pixels, as OpenSeadragon asks for them; on a small screen it may take one of the whole image's
# sizes instead.
TILE = re.compile(r"/(iiif|staff)/images/[^/]+/\d+/\d+,\d+,\d+,\d+/\d+,\d+/0/default\.jpg$")
SIZE = re.compile(r"/(iiif|staff)/images/[^/]+/\d+/full/\d+,\d+/0/default\.jpg$")
FLAT = 10  # pixel standard deviation below which a screenshot is one flat colour
WAIT_MS = 15_000
SERIOUS = ("serious", "critical")
# Console errors accepted on the catalogue's pages: text that identifies one, and why it is
# accepted. None is: OpenSeadragon's one inline <style> is allowed by its hash in the policy.
ACCEPTED_CONSOLE_ERRORS: dict[str, str] = {}
PHOTO_EXHIBITION = "quyen-con-nguoi-qua-anh"  # written by demo.exhibitions


# ---------------------------------------------------------------------------------------------
# The server, the browser, and a watched page


@pytest.fixture(scope="session")
def server(catalogue_home: dict) -> Iterator[str]:
    """The address of `archive serve --port 0` over the catalogue archive, stopped at the end."""
    with serving(catalogue_home["home"]) as address:
        yield address


@dataclass
class Watched:
    """A page, with what its console said and the viewer's images it was answered."""

    page: Any
    images: re.Pattern = TILE
    errors: list[str] = field(default_factory=list)
    tiles: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.set_default_timeout(WAIT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} at {message.location.get('url', '')}")

    def _response(self, response) -> None:
        if self.images.search(response.url):
            self.tiles.append((response.url, response.status))

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in ACCEPTED_CONSOLE_ERRORS)]


@pytest.fixture
def watched(browser, server: str) -> Iterator[Watched]:
    context = browser.new_context(base_url=server, viewport=DESKTOP)
    yield Watched(context.new_page())
    context.close()


def in_language(watched: Watched, server: str, lang: str) -> None:
    """As a visitor who chose `lang` earlier (the switch leaves a cookie)."""
    watched.page.context.add_cookies([{"name": "lang", "value": lang, "url": server}])


def draws_tiles(watched: Watched, selector: str = "#viewer") -> Image.Image:
    """Wait until the viewer has drawn tiles, each answered 200; its screenshot."""
    page = watched.page
    page.wait_for_function(
        "s => document.querySelector(s + ' canvas') !== null", arg=selector, timeout=WAIT_MS
    )
    shot = None
    for _ in range(30):  # tiles arrive and fade in: look again until the picture is there
        shot = Image.open(BytesIO(page.locator(selector).screenshot())).convert("L")
        if watched.tiles and ImageStat.Stat(shot).stddev[0] > FLAT:
            break
        page.wait_for_timeout(250)
    assert watched.tiles, "the viewer asked for no tile"
    assert all(status == 200 for _, status in watched.tiles), watched.tiles
    assert ImageStat.Stat(shot).stddev[0] > FLAT, "the viewer drew nothing but a flat colour"
    return shot


def save(watched: Watched, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(ARTIFACTS / f"catalogue-{name}.png"), full_page=True)


def addresses(catalogue_home: dict) -> dict[str, str]:
    ids = catalogue_home["ids"]
    return {
        "home": "/",
        "search": "/search?q=nha+rong",
        "item": f"/items/{ids['anh-0.jpg']}",
        "document": f"/items/{ids['ke-hoach.pdf']}",
        "exhibition": f"/exhibitions/{PHOTO_EXHIBITION}",
    }


def opened(watched: Watched, catalogue_home: dict, name: str) -> None:
    """The page `name` loaded, and its viewer (if it has one) showing its image."""
    page = watched.page
    page.goto(addresses(catalogue_home)[name])
    if page.locator("#viewer").count():
        draws_tiles(watched)
    page.wait_for_load_state("networkidle")


# ---------------------------------------------------------------------------------------------
# What a visitor does


def test_a_search_without_diacritics_finds_the_accented_title_and_opens_it(
    watched: Watched, catalogue_home: dict
):
    page = watched.page
    from playwright.sync_api import expect

    page.goto("/")
    page.get_by_label("Tìm trong kho lưu trữ").fill("nha rong")
    page.get_by_label("Tìm trong kho lưu trữ").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=nha\+rong$"))
    hit = page.locator("#results .card-title", has_text="Nhà rông làng Kon Klor")
    expect(hit).to_have_count(1)
    hit.click()
    page.wait_for_url(re.compile(rf"/items/{catalogue_home['ids']['anh-0.jpg']}$"))
    expect(page.locator("h1")).to_have_text("Nhà rông làng Kon Klor")
    assert watched.unexpected_errors() == []


def test_the_item_viewer_draws_the_image_from_its_tiles(watched: Watched, catalogue_home: dict):
    watched.page.goto(addresses(catalogue_home)["item"])
    draws_tiles(watched)
    tiles = {url.rsplit("/iiif/images/", 1)[1].split("/")[0] for url, _ in watched.tiles}
    assert tiles == {catalogue_home["ids"]["anh-0.jpg"]}
    assert watched.unexpected_errors() == []


def test_the_language_switch_changes_the_interface_and_is_remembered(watched: Watched):
    from playwright.sync_api import expect

    page = watched.page
    html, search = page.locator("html"), page.locator("#search-form button[type=submit]")
    page.goto("/")
    expect(html).to_have_attribute("lang", "vi")
    expect(search).to_have_text("Tìm kiếm")
    page.locator("#language-switch").click()
    expect(html).to_have_attribute("lang", "en")
    expect(search).to_have_text("Search")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Search").click()
    page.wait_for_url(re.compile(r"/search$"))  # no ?lang=: the choice was remembered
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Search")
    page.locator("#language-switch").click()
    expect(html).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Tìm kiếm")
    page.get_by_role("navigation", name="Trình đơn chính").get_by_role(
        "link", name="Trang chủ"
    ).click()
    page.wait_for_url(re.compile(r"/$"))
    expect(html).to_have_attribute("lang", "vi")
    expect(search).to_have_text("Tìm kiếm")
    assert watched.unexpected_errors() == []


def test_a_search_inside_the_document_lists_the_hit_and_marks_it_on_the_image(
    watched: Watched, catalogue_home: dict
):
    from playwright.sync_api import expect

    page = watched.page
    page.goto(addresses(catalogue_home)["document"])
    draws_tiles(watched)
    page.locator("#search-within-q").fill("quyen con nguoi")
    page.locator("#search-within button[type=submit]").click()
    hits = page.locator("#search-within-hits li")
    expect(hits).to_have_count(1)
    expect(hits.first.locator("mark")).to_have_text(re.compile("quyen con nguoi", re.I))
    expect(page.locator("#search-within-status")).to_contain_text("1")
    box = page.locator(".hit-box").first
    expect(box).to_be_visible()
    drawn, viewer = box.bounding_box(), page.locator("#viewer").bounding_box()
    assert drawn["width"] > 20 and drawn["height"] > 3, drawn
    assert (
        viewer["x"] <= drawn["x"] and drawn["x"] + drawn["width"] <= viewer["x"] + viewer["width"]
    ), (drawn, viewer)
    assert (
        viewer["y"] <= drawn["y"] and drawn["y"] + drawn["height"] <= viewer["y"] + viewer["height"]
    ), (drawn, viewer)
    assert "within=quyen+con+nguoi" in page.url  # the search can be linked to
    assert watched.unexpected_errors() == []


def test_an_exhibition_opened_from_the_list_shows_its_sections_and_its_images(
    watched: Watched, catalogue_home: dict
):
    from playwright.sync_api import expect

    page = watched.page
    page.goto("/exhibitions")
    page.get_by_role("link", name="Quyền con người ở Kon Tum qua ảnh").click()
    page.wait_for_url(re.compile(rf"/exhibitions/{PHOTO_EXHIBITION}$"))
    sections = page.locator("section.exhibition-section")
    assert sections.count() >= 2
    for n in range(sections.count()):
        expect(sections.nth(n).locator("h2")).to_be_visible()
        assert sections.nth(n).locator("li.entry").count() >= 1
    first = draws_tiles(watched)
    shown = page.locator("button.show-in-viewer")
    watched.tiles.clear()
    shown.last.click()
    expect(shown.last).to_have_attribute("aria-pressed", "true")
    second = draws_tiles(watched)
    assert first.tobytes() != second.tobytes(), "choosing another entry changed nothing"
    assert watched.unexpected_errors() == []


# ---------------------------------------------------------------------------------------------
# Every main page, in both languages: accessible, and quiet in the console

AUDITED = [
    (name, lang) for name in ("home", "search", "item", "exhibition") for lang in ("vi", "en")
]


@pytest.mark.parametrize(("name", "lang"), AUDITED)
def test_the_page_has_no_serious_accessibility_violation_and_logs_no_error(
    watched: Watched, server: str, catalogue_home: dict, name: str, lang: str
):
    in_language(watched, server, lang)
    opened(watched, catalogue_home, name)
    assert watched.page.locator("html").get_attribute("lang") == lang
    serious = serious_violations(watched.page)
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
    save(watched, f"{name}-{lang}")
    assert watched.unexpected_errors() == []


def test_the_pages_fit_a_phone_screen(browser, server: str, catalogue_home: dict):
    """At 360 px wide nothing scrolls sideways, and the viewer still shows the image."""
    context = browser.new_context(
        base_url=server, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    try:
        seen = Watched(context.new_page(), images=re.compile(f"{TILE.pattern}|{SIZE.pattern}"))
        for name in ("home", "search", "item", "exhibition"):
            seen.tiles.clear()
            opened(seen, catalogue_home, name)
            width = seen.page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name} is {width} px wide"
            save(seen, f"{name}-phone")
        assert seen.unexpected_errors() == []
    finally:
        context.close()


@pytest.mark.parametrize(
    ("screen", "shown", "hidden"),
    [
        ({"viewport": DESKTOP}, "arrow keys", "pinch"),
        ({"viewport": PHONE, "is_mobile": True, "has_touch": True}, "pinch", "arrow keys"),
    ],
)
def test_the_viewer_help_speaks_of_keys_at_a_desk_and_of_fingers_on_a_phone(
    browser, server: str, catalogue_home: dict, screen: dict, shown: str, hidden: str
):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=server, **screen)
    try:
        page = context.new_page()
        page.goto(addresses(catalogue_home)["item"] + "?lang=en")
        help_text = page.locator("#viewer-help")
        expect(help_text.get_by_text(shown)).to_be_visible()
        expect(help_text.get_by_text(hidden)).to_be_hidden()
        read = help_text.inner_text()  # as the visitor sees it
        assert shown in read and hidden not in read, read
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# The staff workspace: signed in through the form, by keyboard

STAFF_PASSWORD = "mat khau cua nhan vien"
STAFF_PHONE = {"width": 375, "height": 740}
DASHBOARD = re.compile(r"^[^?]*/staff/$")


@pytest.fixture(scope="session")
def staff_accounts(catalogue_home: dict) -> dict[str, str]:
    """An administrator and an archivist of the catalogue archive: name by role."""
    from archive import users
    from archive.home import Archive

    accounts = {"admin": "quan-tri", "archivist": "luu-tru"}
    archive = Archive.open(catalogue_home["home"])
    try:
        for role, name in accounts.items():
            with archive.change("user add", by="test") as work:
                users.add(work, name, role, STAFF_PASSWORD)
    finally:
        archive.close()
    return accounts


def tab_to(page, selector: str, presses: int = 40) -> None:
    """Move the focus with the Tab key alone until it is on `selector`."""
    for _ in range(presses):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{presses} presses of Tab never reached {selector}")


def signs_in(page, name: str) -> None:
    """Sign in on the page the workspace sent us to, with the keyboard."""
    page.wait_for_url(re.compile(r"/staff/login"))
    tab_to(page, "#username")
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")


@pytest.fixture(scope="session")
def staff_state(browser, server: str, staff_accounts: dict) -> dict:
    """The cookies of a browser where the administrator has signed in."""
    context = browser.new_context(base_url=server, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto("/staff/")
        signs_in(page, staff_accounts["admin"])
        page.wait_for_url(DASHBOARD)
        return context.storage_state()
    finally:
        context.close()


def test_an_archivist_signs_in_puts_a_title_back_and_the_public_page_shows_it(
    watched: Watched, catalogue_home: dict, staff_accounts: dict
):
    from playwright.sync_api import expect

    school = catalogue_home["ids"]["anh-2.jpg"]
    run = Cli(CliRunner(), catalogue_home["home"], catalogue_home["home"].parent)
    changed = run("--by", "lan", "item", "set", school, "title_en=A school, mistitled")
    assert changed.exit_code == 0, changed.output
    page = watched.page
    page.goto("/staff/")
    signs_in(page, staff_accounts["archivist"])
    page.wait_for_url(DASHBOARD)
    expect(page.locator("#signed-in-as")).to_have_text(
        f"Đang đăng nhập: {staff_accounts['archivist']} (Lưu trữ viên)"
    )
    tab_to(page, "#find-item")
    page.keyboard.type(school)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/audit\?item="))
    tab_to(page, f"a[href='/staff/items/{school}/history']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/staff/items/{school}/history$"))
    row = page.locator("tr", has_text="A school, mistitled").filter(has_text="title_en")
    expect(row.locator("td").nth(4)).to_have_text("A school in Dak Glei")  # before
    row.get_by_role("button").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/staff/items/{school}/history$"))
    expect(page.locator(".staff-messages")).to_have_text("Đã khôi phục: title_en.")
    page.goto(f"/items/{school}?lang=en")
    page.reload()  # not the copy the browser may keep for a minute
    expect(page.locator("h1")).to_have_text("A school in Dak Glei")
    assert watched.unexpected_errors() == []


def serious_violations(page) -> list[dict]:
    """What axe-core finds serious or critical on the page as it stands (the rest printed)."""
    assert AXE.exists(), "axe-core is missing: `make assets` installs it (npm ci)"
    # Evaluated through the devtools protocol, which the page's security policy does not govern:
    # the page is audited with the policy it has for visitors (an injected <script> would be
    # refused by `script-src 'self'`).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))})))"
    )
    serious = [v for v in results if v["impact"] in SERIOUS]
    for violation in results:
        if violation not in serious:
            print(f"{page.url}: {violation['impact']}: {json.dumps(violation)}")
    return serious


STAFF_PAGES = (
    *("login", "dashboard", "audit", "history", "editor", "tags", "text", "users", "user"),
    *("exhibitions", "exhibition", "exhibition_editor", "preview", "partners", "csv"),
)


def staff_addresses(catalogue_home: dict, staff_accounts: dict) -> dict[str, str]:
    return {
        "login": "/staff/login",
        "dashboard": "/staff/",
        "audit": "/staff/audit",
        "history": f"/staff/items/{catalogue_home['ids']['anh-1.jpg']}/history",
        "editor": f"/staff/items/{catalogue_home['ids']['anh-1.jpg']}",
        "tags": f"/staff/items/{catalogue_home['ids']['anh-0.jpg']}/tags",
        "text": f"/staff/items/{catalogue_home['ids']['ke-hoach.pdf']}/pages/1/text",
        "users": "/staff/users",
        "user": f"/staff/users/{staff_accounts['archivist']}",
        "exhibitions": "/staff/exhibitions",
        "exhibition": f"/staff/exhibitions/{PHOTO_EXHIBITION}",
        "exhibition_editor": f"/staff/exhibitions/{PHOTO_EXHIBITION}/edit",
        "preview": f"/staff/exhibitions/{PHOTO_EXHIBITION}/preview",
        "partners": "/staff/partners",
        "csv": "/staff/csv",
    }


@pytest.mark.parametrize(
    ("name", "lang"), [(n, lang) for n in STAFF_PAGES for lang in ("vi", "en")]
)
def test_the_staff_page_has_no_serious_accessibility_violation(
    browser,
    server: str,
    catalogue_home: dict,
    staff_accounts: dict,
    staff_state: dict,
    name: str,
    lang: str,
):
    state = None if name == "login" else staff_state
    context = browser.new_context(base_url=server, viewport=DESKTOP, storage_state=state)
    try:
        watched = Watched(context.new_page())
        in_language(watched, server, lang)
        watched.page.goto(staff_addresses(catalogue_home, staff_accounts)[name])
        page = watched.page
        assert page.locator("html").get_attribute("lang") == lang
        assert urlsplit(page.url).path != "/staff/login" or name == "login"
        serious = serious_violations(page)
        assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
        save(watched, f"staff-{name}-{lang}")
        assert watched.unexpected_errors() == []
    finally:
        context.close()


def test_the_staff_pages_fit_a_phone_screen(
    browser, server: str, catalogue_home: dict, staff_accounts: dict, staff_state: dict
):
    """At 375 px wide nothing scrolls sideways (a wide table scrolls inside itself)."""
    context = browser.new_context(
        base_url=server,
        viewport=STAFF_PHONE,
        is_mobile=True,
        has_touch=True,
        storage_state=staff_state,
    )
    try:
        seen = Watched(context.new_page())
        for name, address in staff_addresses(catalogue_home, staff_accounts).items():
            seen.page.goto(address)
            width = seen.page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= STAFF_PHONE["width"], f"{name} is {width} px wide"
            save(seen, f"staff-{name}-phone")
        assert seen.unexpected_errors() == []
    finally:
        context.close()
