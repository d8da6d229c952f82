"""The archivist's holdings pages in Debian's Chromium against `archive serve` over an archive of
their own (the shared catalogue archive stays as it is): a batch edit of 50 items chosen from a
search, seen in search and undone; an item withdrawn and answered 410 Gone to the public; the
collections, withdrawal and batch pages audited with axe-core in both languages and at 375 px."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from tests.conftest import Cli, make_image, serving
from tests.test_browser import (
    AXE,
    DASHBOARD,
    DESKTOP,
    SERIOUS,
    STAFF_PASSWORD,
    STAFF_PHONE,
    Watched,
    in_language,
    save,
    signs_in,
    tab_to,
)

pytestmark = pytest.mark.slow
COUNT = 50
TITLE = "Nhà rông làng Kon Klor"
ACCOUNTS = {"admin": "quan-tri", "archivist": "luu-tru"}


@pytest.fixture(scope="module")
def holdings(tmp_path_factory) -> dict:
    """50 photos titled `Phiên chợ số N` in kon-tum/cho, and one more in kon-tum/nha."""
    from archive import users
    from archive.home import Archive

    root = tmp_path_factory.mktemp("holdings-browser")
    home = root / "home"
    run = Cli(CliRunner(), home, root)
    assert run("init").exit_code == 0
    market, house = root / "cho", root / "nha"
    for n in range(COUNT):
        make_image(market / f"cho-{n:02}.jpg", size=(48, 32), color=(5 * n, 90, 140))
    rows = "".join(f"cho-{n:02}.jpg,Phiên chợ số {n}\n" for n in range(COUNT))
    (market / "metadata.csv").write_text("file,title\n" + rows, encoding="utf-8")
    make_image(house / "nha.jpg", size=(48, 32), color=(200, 20, 20))
    (house / "metadata.csv").write_text(f"file,title,date\nnha.jpg,{TITLE},1975\n", "utf-8")
    ids = {}
    for folder, slug in ((market, "kon-tum/cho"), (house, "kon-tum/nha")):
        result, report = run.ingest(folder, "--collection", slug, workers=2)
        assert report is not None, result.output
        ids.update({e["input"].rsplit("/", 1)[-1]: e["item"] for e in report["inputs"]})
    assert run("collection", "set", "kon-tum", "title_vi=Phông tỉnh Kon Tum").exit_code == 0
    archive = Archive.open(home)
    try:
        for role, name in ACCOUNTS.items():
            with archive.change("user add", by="test") as work:
                users.add(work, name, role, STAFF_PASSWORD)
    finally:
        archive.close()
    return {"home": home, "ids": ids}


@pytest.fixture(scope="module")
def served(holdings: dict) -> Iterator[str]:
    with serving(holdings["home"]) as address:
        yield address


@pytest.fixture
def page(browser, served: str):
    context = browser.new_context(base_url=served, viewport=DESKTOP)
    yield Watched(context.new_page())
    context.close()


def _axe(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))})))"
    )
    return [v for v in results if v["impact"] in SERIOUS]


def _results(page, query: str) -> str:
    page.goto(f"/search?q={query}&lang=en")
    page.reload()  # not a copy the browser kept
    return page.locator("#results-heading").inner_text()


def test_a_batch_edit_of_50_items_from_a_search_is_seen_in_search_and_undone(page: Watched):
    from playwright.sync_api import expect

    tab = page.page
    tab.goto("/staff/batch")
    signs_in(tab, ACCOUNTS["archivist"])
    tab.wait_for_url(re.compile(r"^[^?]*/staff/batch$"))
    tab_to(tab, "#batch-q")
    tab.keyboard.type("phien cho")
    tab.keyboard.press("Enter")
    expect(tab.locator("#chosen-heading")).to_have_text(f"Đã chọn {COUNT} tài liệu")
    tab_to(tab, "#operation", presses=COUNT + 40)  # past every item chosen
    tab.select_option("#operation", "set")
    tab_to(tab, "#field")
    tab.keyboard.type("title_en")
    tab_to(tab, "#value")
    tab.keyboard.type("Market day in Kon Tum")
    tab.keyboard.press("Enter")
    expect(tab.locator("#batch-summary")).to_have_text(
        f"{COUNT} thay đổi ở {COUNT} trong {COUNT} tài liệu đã chọn."
    )
    assert tab.locator("tbody tr").count() == COUNT
    assert _axe(tab) == []
    tab_to(tab, "#batch-apply", presses=COUNT + 40)
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/staff/batch/\d+$"))
    expect(tab.locator(".staff-messages")).to_have_text(f"Đã áp dụng: {COUNT} thay đổi.")
    made = tab.url
    assert _axe(tab) == []
    public = tab.context.browser.new_context(
        base_url=f"{urlsplit(made).scheme}://{urlsplit(made).netloc}"
    )
    try:
        visitor = public.new_page()
        assert _results(visitor, "market+day") == f"{COUNT} results for “market day”"
        tab.goto(made)
        tab_to(tab, "#batch-undo")
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"/staff/batch/\d+$"))
        expect(tab.locator(".staff-messages")).to_have_text(
            f"Đã hoàn tác: trả lại {COUNT} thay đổi."
        )
        expect(tab.locator("#batch-undone")).to_be_visible()
        visitor.goto("/search?q=market+day&lang=en")
        visitor.reload()
        assert visitor.locator("#results li").count() == 0
    finally:
        public.close()
    assert page.unexpected_errors() == []


def test_an_archivist_withdraws_an_item_and_the_public_gets_410_gone(
    page: Watched, holdings: dict, browser, served: str
):
    from playwright.sync_api import expect

    house = holdings["ids"]["nha.jpg"]
    tab = page.page
    tab.goto(f"/staff/items/{house}/withdrawal")
    signs_in(tab, ACCOUNTS["archivist"])
    tab.wait_for_url(re.compile(r"^[^?]*/withdrawal$"))
    tab_to(tab, "#reason")
    tab.keyboard.type("Gia đình người trong ảnh yêu cầu")
    tab_to(tab, "form[action$='/withdraw'] button")
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/withdrawal$"))
    expect(tab.locator("#withdrawn-reason")).to_have_text("Gia đình người trong ảnh yêu cầu")
    context = browser.new_context(base_url=served, viewport=DESKTOP)
    try:
        visitor = Watched(context.new_page())
        answer = visitor.page.goto(f"/items/{house}")
        assert answer.status == 410
        expect(visitor.page.locator("h1")).to_have_text(TITLE)
        expect(visitor.page.locator("#gone-reason")).to_have_text(
            "Gia đình người trong ảnh yêu cầu"
        )
        expect(visitor.page.locator("#citation")).to_contain_text(f"/items/{house}")
        assert _axe(visitor.page) == []
        save(visitor, "gone-vi")
        manifest = context.request.get(f"/iiif/items/{house}/manifest.json")
        assert manifest.status == 410
    finally:
        context.close()
    tab_to(tab, "form[action$='/restore'] button")
    tab.keyboard.press("Enter")
    expect(tab.locator(".staff-messages")).to_have_text("Đã khôi phục: tài liệu trở lại như trước.")
    assert tab.context.request.get(f"/items/{house}").status == 200


def _pages(holdings: dict) -> dict[str, str]:
    return {
        "collections": "/staff/collections",
        "collection": "/staff/collections/kon-tum",
        "withdrawal": f"/staff/items/{holdings['ids']['cho-01.jpg']}/withdrawal",
        "batch": "/staff/batch?q=phien+cho+so+1",
    }


@pytest.fixture(scope="module")
def signed(browser, served: str) -> dict:
    context = browser.new_context(base_url=served, viewport=DESKTOP)
    try:
        tab = context.new_page()
        tab.goto("/staff/")
        signs_in(tab, ACCOUNTS["admin"])
        tab.wait_for_url(DASHBOARD)
        return context.storage_state()
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_holdings_pages_have_no_serious_accessibility_violation(
    browser, served: str, holdings: dict, signed: dict, lang: str
):
    context = browser.new_context(base_url=served, viewport=DESKTOP, storage_state=signed)
    try:
        seen = Watched(context.new_page())
        in_language(seen, served, lang)
        problems = {}
        for name, address in _pages(holdings).items():
            seen.page.goto(address)
            assert seen.page.locator("html").get_attribute("lang") == lang
            found = _axe(seen.page)
            if found:
                problems[name] = found
            save(seen, f"staff-{name}-{lang}")
        assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
        assert seen.unexpected_errors() == []
    finally:
        context.close()


def test_the_holdings_pages_fit_a_phone_screen(browser, served: str, holdings: dict, signed):
    context = browser.new_context(
        base_url=served, viewport=STAFF_PHONE, is_mobile=True, has_touch=True, storage_state=signed
    )
    try:
        seen = Watched(context.new_page())
        for name, address in _pages(holdings).items():
            seen.page.goto(address)
            width = seen.page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= STAFF_PHONE["width"], f"{name} is {width} px wide"
            save(seen, f"staff-{name}-phone")
        assert seen.unexpected_errors() == []
    finally:
        context.close()
