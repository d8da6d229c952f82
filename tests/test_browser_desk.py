"""The archivist's pages of the staff workspace in Debian's Chromium (Playwright), over an
archive of their own served by `archive serve`, by keyboard: a page's text corrected beside its
image (drawn while the item is restricted too) and the new word found by search at once; an
automatic tag rejected, and still rejected after `archive tag --retag`; a title changed in the
item editor, a bad date refused beside its field as it is typed and when sent, and the new title
on the public page and in search."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from tests.conftest import Cli, serving, text_pdf
from tests.test_browser import DESKTOP, Watched, draws_tiles, save, signs_in, tab_to

pytestmark = pytest.mark.slow

PASSWORD = "mat khau cua nhan vien"  # as tests/test_browser.py signs in with
ARCHIVIST = "luu-tru"


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Iterator[dict]:
    """`archive serve` over an archive of one document with a text layer that names the
    Convention on the Rights of the Child (so tagged with it), and an archivist's account."""
    from archive import users
    from archive.home import Archive

    root = tmp_path_factory.mktemp("desk-browser")
    home = root / "home"
    run = Cli(CliRunner(), home, root)
    assert run("init").exit_code == 0
    text_pdf(
        root / "documents" / "ke-hoach.pdf",
        ["A plan of communication on human rights", "Convention on the Rights of the Child"],
    )
    result, report = run.ingest(root / "documents", "--type", "document")
    assert report is not None, result.output
    archive = Archive.open(home)
    try:
        with archive.change("user add", by="test") as work:
            users.add(work, ARCHIVIST, "archivist", PASSWORD)
    finally:
        archive.close()
    with serving(home) as server:
        yield {"server": server, "run": run, "id": report["inputs"][0]["item"]}


@pytest.fixture
def seen(browser, desk: dict) -> Iterator[Watched]:
    context = browser.new_context(base_url=desk["server"], viewport=DESKTOP)
    yield Watched(context.new_page())
    context.close()


def test_an_archivist_corrects_a_pages_text_and_search_finds_the_new_word(seen, desk):
    from playwright.sync_api import expect

    page, document = seen.page, desk["id"]
    assert desk["run"]("item", "set", document, "access=restricted").exit_code == 0
    page.goto(f"/staff/items/{document}/pages/1/text")
    signs_in(page, ARCHIVIST)
    page.wait_for_url(re.compile(rf"^[^?]*/staff/items/{document}/pages/1/text$"))
    draws_tiles(seen)  # the page's image, beside its text, though the public may not see it
    assert desk["run"]("item", "set", document, "access=public").exit_code == 0
    page.reload()
    tab_to(page, "#text", presses=60)
    page.keyboard.press("Control+End")
    page.keyboard.type("\nHội nghị Quyphongtrang")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".staff-messages")).to_have_text("Đã lưu thành phiên bản 2.")
    expect(page.locator(".diff ins")).to_have_text("+ Hội nghị Quyphongtrang")
    save(seen, "staff-text-corrected")
    page.goto("/search?q=quyphongtrang")
    expect(page.locator(f"a[href='/items/{document}']").first).to_be_visible()
    assert seen.unexpected_errors() == []


def test_an_archivist_rejects_a_tag_and_it_stays_rejected_after_retag(seen, desk):
    from playwright.sync_api import expect

    page, document = seen.page, desk["id"]
    page.goto(f"/staff/items/{document}/tags")
    signs_in(page, ARCHIVIST)
    page.wait_for_url(re.compile(rf"^[^?]*/staff/items/{document}/tags$"))
    entry = page.locator("li.tag-review", has_text="convention:CRC")
    expect(entry.locator(".tag-state")).to_contain_text("Tự động, chưa duyệt")
    expect(entry.locator(".evidence")).to_contain_text("«Convention on the Rights of the Child»")
    tab_to(page, "form:has(input[value='convention:CRC']) button[value='reject']", presses=80)
    page.keyboard.press("Enter")
    expect(page.locator(".staff-messages")).to_contain_text("Đã bác bỏ: convention:CRC.")
    retag = desk["run"]("tag", "--retag")
    assert retag.exit_code == 0, retag.output
    page.reload()
    entry = page.locator("li.tag-review", has_text="convention:CRC")
    expect(entry.locator(".tag-state")).to_contain_text("Tự động, đã bác bỏ")
    page.goto(f"/items/{document}?lang=en")
    expect(page.locator("h1")).to_be_visible()
    assert page.locator("a[href*='convention=CRC']").count() == 0
    assert seen.unexpected_errors() == []


def test_an_archivist_changes_a_title_in_the_editor_and_the_public_page_and_search_show_it(
    seen, desk
):
    from playwright.sync_api import expect

    page, document = seen.page, desk["id"]
    page.goto(f"/staff/items/{document}")
    signs_in(page, ARCHIVIST)
    page.wait_for_url(re.compile(rf"^[^?]*/staff/items/{document}$"))
    tab_to(page, "#field-date", presses=80)
    page.keyboard.type("1975-13-45x")
    expect(page.locator("#date-check")).to_have_text("Đây không phải là một thời gian theo EDTF.")
    page.keyboard.press("Shift+Home")
    page.keyboard.type("1975-13")
    expect(page.locator("#date-check")).to_have_text("")  # its form is right; the server says more
    page.focus("#field-title_vi")
    page.keyboard.press("Control+A")
    page.keyboard.type("Kế hoạch Thanhmaiquynh")
    tab_to(page, "button[type='submit']:not(.secondary)", presses=80)
    page.keyboard.press("Enter")
    expect(page.locator("#date-error")).to_contain_text("month 13 does not exist")
    expect(page.locator("#field-date")).to_have_attribute("aria-invalid", "true")
    page.focus("#field-date")
    page.keyboard.press("Control+A")
    page.keyboard.type("1975")
    tab_to(page, "button[type='submit']:not(.secondary)", presses=80)
    page.keyboard.press("Enter")
    expect(page.locator(".staff-messages")).to_contain_text("Đã lưu:")
    expect(page.locator("#field-title_vi")).to_have_value("Kế hoạch Thanhmaiquynh")
    page.goto(f"/items/{document}")
    expect(page.locator("h1")).to_have_text("Kế hoạch Thanhmaiquynh")
    page.goto("/search?q=thanhmaiquynh")
    expect(page.locator(f"a[href='/items/{document}']").first).to_be_visible()
    refused = [e for e in seen.unexpected_errors() if "status of 400" in e]
    assert len(refused) == 1  # the form with the bad date, answered 400 as it should be
    assert [e for e in seen.unexpected_errors() if e not in refused] == []
