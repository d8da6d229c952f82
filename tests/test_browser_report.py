"""The plan's report in Debian's Chromium against `archive serve`, over the report's fixture
archive (tests/report_archive.py): a viewer signs in and chooses a period with the keyboard alone,
the charts load under the security policy, a count leads to the items it counts; axe-core finds
nothing serious in Vietnamese or English, and the page fits 375 px."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from tests import report_archive
from tests.conftest import serving
from tests.test_browser import (
    DESKTOP,
    STAFF_PASSWORD,
    STAFF_PHONE,
    Watched,
    in_language,
    save,
    signs_in,
    tab_to,
)
from tests.test_browser_holdings import _axe

pytestmark = pytest.mark.slow
VIEWER = "so-tttt"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    from archive import users
    from archive.home import Archive

    home = tmp_path_factory.mktemp("report-browser") / "home"
    archive = Archive.create(home)
    try:
        report_archive.build(archive)
        with archive.change("user add", by="test") as work:
            users.add(work, VIEWER, "viewer", STAFF_PASSWORD)
    finally:
        archive.close()
    with serving(home) as server:
        yield server


@pytest.fixture(scope="module")
def signed(browser, served: str) -> dict:
    context = browser.new_context(base_url=served, viewport=DESKTOP)
    try:
        tab = context.new_page()
        tab.goto("/staff/report")
        signs_in(tab, VIEWER)
        tab.wait_for_url(re.compile(r"^[^?]*/staff/report$"))
        return context.storage_state()
    finally:
        context.close()


def _charts_drawn(tab) -> list[int]:
    return tab.evaluate(
        "() => Array.from(document.querySelectorAll('.report-chart img'))"
        ".map(i => i.complete ? i.naturalWidth : 0)"
    )


def test_a_viewer_chooses_a_period_with_the_keyboard_and_follows_a_count(
    browser, served: str, signed: dict
):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=served, viewport=DESKTOP, storage_state=signed)
    try:
        seen = Watched(context.new_page())
        in_language(seen, served, "en")
        tab = seen.page
        tab.goto("/staff/report")
        tab_to(tab, "#report-from")
        tab.keyboard.type("01012023")  # Chromium's date field takes the digits in order
        tab_to(tab, "#report-to")
        tab.keyboard.type("12312024")
        tab_to(tab, "#report-by")
        tab.keyboard.press("ArrowDown")  # year -> quarter
        tab_to(tab, "form.filters button[type=submit]")
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"by=quarter"))
        expect(tab.locator("#section-digitised + div thead th")).to_have_count(10)
        tab.wait_for_function(
            "() => Array.from(document.querySelectorAll('.report-chart img'))"
            ".every(i => i.complete && i.naturalWidth > 0)"
        )
        assert len(_charts_drawn(tab)) == 3
        link = "a[href*='figure=language.material:minority'][href*='period=2023-Q1']"
        tab_to(tab, link, presses=200)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"/staff/report/items"))
        expect(tab.locator("#report-items li")).to_have_count(1)  # item 2, in Bahnar
        expect(tab.locator("#report-items")).to_contain_text("KT-2023-000002")
        save(seen, "staff-report-items")
        assert seen.unexpected_errors() == []  # the charts too, under the security policy
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_report_has_no_serious_accessibility_violation(
    browser, served: str, signed: dict, lang: str
):
    context = browser.new_context(base_url=served, viewport=DESKTOP, storage_state=signed)
    try:
        seen = Watched(context.new_page())
        in_language(seen, served, lang)
        problems = {}
        for address in ("/staff/report?by=quarter", "/staff/report/items?figure=online"):
            seen.page.goto(address)
            assert seen.page.locator("html").get_attribute("lang") == lang
            found = _axe(seen.page)
            if found:
                problems[address] = found
        save(seen, f"staff-report-{lang}")
        assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
        assert seen.unexpected_errors() == []
    finally:
        context.close()


def test_the_report_fits_a_phone_screen(browser, served: str, signed: dict):
    context = browser.new_context(
        base_url=served, viewport=STAFF_PHONE, is_mobile=True, has_touch=True, storage_state=signed
    )
    try:
        seen = Watched(context.new_page())
        seen.page.goto("/staff/report?by=quarter")
        width = seen.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= STAFF_PHONE["width"], f"the report is {width} px wide"
        assert seen.unexpected_errors() == []
    finally:
        context.close()
