"""The metadata.csv round trip of the staff workspace in Debian's Chromium (Playwright), over an
archive of its own served by `archive serve`, by keyboard: an archivist downloads a collection's
metadata.csv, a title is edited in the file, the file is sent back (the one step a keyboard
cannot take in a browser's own file chooser: Playwright sets the file), the preview lists the
change, applying it shows the batch made, and the public item page and search have the new
title at once. The preview is checked by axe-core in both languages."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from tests.conftest import Cli, make_image, serving
from tests.test_browser import DESKTOP, Watched, save, serious_violations, signs_in, tab_to

pytestmark = pytest.mark.slow

PASSWORD = "mat khau cua nhan vien"  # as tests/test_browser.py signs in with
ARCHIVIST = "luu-tru"


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Iterator[dict]:
    """`archive serve` over an archive of two photos of `kon-tum/anh`, and an archivist."""
    from archive import users
    from archive.home import Archive

    root = tmp_path_factory.mktemp("csv-browser")
    home = root / "home"
    run = Cli(CliRunner(), home, root)
    assert run("init").exit_code == 0
    make_image(root / "anh" / "nha-rong.jpg", color=(200, 40, 40))
    make_image(root / "anh" / "cho.jpg", color=(40, 200, 40))
    (root / "anh" / "metadata.csv").write_text(
        "file,title,date\nnha-rong.jpg,Nhà rông Kon Klor,1975\ncho.jpg,Chợ phiên Đắk Tô,1998\n",
        encoding="utf-8",
    )
    result, report = run.ingest(root / "anh", "--collection", "kon-tum/anh")
    assert report is not None, result.output
    ids = {entry["input"].rsplit("/", 1)[1]: entry["item"] for entry in report["inputs"]}
    archive = Archive.open(home)
    try:
        with archive.change("user add", by="test") as work:
            users.add(work, ARCHIVIST, "archivist", PASSWORD)
    finally:
        archive.close()
    with serving(home) as server:
        yield {"server": server, "ids": ids, "root": root}


@pytest.fixture
def seen(browser, desk: dict) -> Iterator[Watched]:
    context = browser.new_context(base_url=desk["server"], viewport=DESKTOP, accept_downloads=True)
    yield Watched(context.new_page())
    context.close()


def _retitled(body: bytes, file: str, title: str) -> bytes:
    """The downloaded file with the Vietnamese title of the row of `file` changed, as a
    spreadsheet saves it."""
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert sorted(row["file"] for row in rows) == ["anh/cho.jpg", "anh/nha-rong.jpg"]
    next(row for row in rows if row["file"] == file)["title_vi"] = title
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _sends(page, path) -> None:
    page.set_input_files("#csv-sheet", str(path))
    tab_to(page, "#csv-preview")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/csv/preview"))


def test_an_archivist_edits_a_title_in_the_downloaded_csv_and_the_public_page_shows_it(seen, desk):
    from playwright.sync_api import expect

    page, market = seen.page, desk["ids"]["cho.jpg"]
    page.goto("/staff/csv")
    signs_in(page, ARCHIVIST)
    page.wait_for_url(re.compile(r"^[^?]*/staff/csv$"))
    tab_to(page, "#csv-in")
    page.keyboard.type("kon-tum/anh")
    tab_to(page, "#csv-export", presses=5)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "metadata.csv"
    body = download.value.path().read_bytes()
    edited = desk["root"] / "edited.csv"
    edited.write_bytes(_retitled(body, "anh/cho.jpg", "Chợ phiên Quyphongcho"))
    _sends(page, edited)
    expect(page.locator("#csv-summary")).to_have_text(
        "1 thay đổi cho 1 trong 2 tài liệu mà tệp nêu tên."
    )
    change = page.locator("table.audit tbody tr")
    expect(change).to_have_count(1)
    expect(change.locator("td")).to_have_text(
        [market, "title_vi", "Chợ phiên Đắk Tô", "Chợ phiên Quyphongcho"]
    )
    serious = serious_violations(page)
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
    save(seen, "staff-csv-preview-vi")
    tab_to(page, "#csv-apply")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/batch/\d+$"))
    expect(page.locator("#batch-from-csv")).to_have_text("Thực hiện từ một tệp metadata.csv.")
    page.goto(f"/items/{market}")
    expect(page.locator("h1")).to_have_text("Chợ phiên Quyphongcho")
    page.goto("/search?q=quyphongcho")
    expect(page.locator(f"a[href='/items/{market}']").first).to_be_visible()
    page.goto("/staff/csv?lang=en")  # the same file again, in English: nothing left to change
    _sends(page, edited)
    expect(page.locator("#csv-summary")).to_have_text(
        "0 changes to 0 of the 2 items the file names."
    )
    serious = serious_violations(page)
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
    assert seen.unexpected_errors() == []
