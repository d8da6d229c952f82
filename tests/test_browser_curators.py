"""A curator in a real browser (Debian's Chromium, through Playwright) against `archive serve`
over an archive of their own: signs in, makes a draft, builds three sections from search results,
reorders them by keyboard and by dragging with the mouse, chooses a document's page by its
thumbnail, previews, publishes, and finds the exhibition on the public site with its viewer and
manifest; a save over a version another curator saved first is refused, and what was typed is
still there; a language is added with the keyboard alone, on a phone's width."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from tests.conftest import Cli, make_image, serving
from tests.test_browser import (
    DESKTOP,
    SIZE,
    STAFF_PASSWORD,
    STAFF_PHONE,
    TILE,
    Watched,
    draws_tiles,
    serious_violations,
    signs_in,
    tab_to,
)

pytestmark = pytest.mark.slow

SLUG = "trien-lam-moi"
CURATOR = "giam-tuyen"


@pytest.fixture(scope="module")
def curated(tmp_path_factory) -> Iterator[dict]:
    """An archive of three photos and a two-page document, a curator, and its server."""
    from archive import users
    from archive.home import Archive

    root = tmp_path_factory.mktemp("curated")
    home = root / "home"
    run = Cli(CliRunner(), home, root)
    assert run("init").exit_code == 0
    photos, documents = root / "photos", root / "documents"
    for n, name in enumerate(("nha-rong", "cho-phien", "le-hoi")):
        make_image(photos / f"{name}.jpg", size=(300, 200), color=(60 * n, 120, 90))
    (photos / "metadata.csv").write_text(
        "file,title\nnha-rong.jpg,Nhà rông Kon Klor\ncho-phien.jpg,Chợ phiên Đắk Tô\n"
        "le-hoi.jpg,Lễ hội cồng chiêng\n",
        encoding="utf-8",
    )
    letter = documents / "cong-van"  # a folder of pages with its item.yaml: one document
    for number in (1, 2):
        make_image(letter / f"page-{number}.png", size=(200, 280), color=255)
    (letter / "item.yaml").write_text('title: "Công văn số 12"\n', encoding="utf-8")
    ids = {}
    for folder, options in ((photos, []), (documents, [])):
        result, report = run.ingest(folder, *options)
        assert report is not None, result.output
        ids.update({entry["input"].rsplit("/", 1)[1]: entry["item"] for entry in report["inputs"]})
    archive = Archive.open(home)
    try:
        with archive.change("user add", by="test") as work:
            users.add(work, CURATOR, "curator", STAFF_PASSWORD)
    finally:
        archive.close()
    with serving(home) as server:
        yield {"home": home, "ids": ids, "server": server}


@pytest.fixture
def curator(browser, curated) -> Iterator[Watched]:
    context = browser.new_context(base_url=curated["server"], viewport=DESKTOP)
    page = context.new_page()
    page.goto("/staff/exhibitions")
    signs_in(page, CURATOR)
    page.wait_for_url(re.compile(r"^[^?]*/staff/exhibitions$"))  # not the sign-in's ?next=
    # Photos this small are drawn from one of their sizes, not from tiles.
    yield Watched(page, images=re.compile(f"{TILE.pattern}|{SIZE.pattern}"))
    context.close()


def section_titles(page) -> list[str]:
    return page.locator("#sections > li.section input[data-name='title_vi']").evaluate_all(
        "fields => fields.map(f => f.value)"
    )


def add_found(page, query: str, section: int) -> None:
    """Search the archive and add the item titled `query` to section `section` (1-based)."""
    page.select_option("#target-section", str(section - 1))
    page.fill("#find", query)
    page.press("#find", "Enter")
    page.locator("#found li", has_text=query).get_by_role("button").click()


def test_a_curator_builds_reorders_previews_and_publishes_an_exhibition(curator, curated):
    from playwright.sync_api import expect

    page, ids = curator.page, curated["ids"]
    page.fill("#new-slug", SLUG)
    page.press("#new-slug", "Enter")
    page.wait_for_url(re.compile(rf"/staff/exhibitions/{SLUG}/edit$"))
    # The template's example item is not in the archive: the check says so beside it.
    expect(page.locator("ul.problems[data-for='s0-i0']")).to_contain_text("is not in the archive")
    page.locator("li.entry").first.get_by_role("button", name="Bỏ").click()
    page.fill("#title_vi", "Đời sống vùng cao")
    page.fill("#title_en", "Highland life")
    page.locator("#sections input[data-name='title_vi']").first.fill("Nhà rông")
    for title in ("Chợ", "Lễ hội"):
        page.click("#add-section")
        page.locator("#sections input[data-name='title_vi']").last.fill(title)
    add_found(page, "Nhà rông Kon Klor", 1)
    add_found(page, "Chợ phiên Đắk Tô", 2)
    add_found(page, "Lễ hội cồng chiêng", 3)
    add_found(page, "Công văn số 12", 3)
    document = page.locator("li.entry", has_text=ids["cong-van"])
    document.get_by_role("button", name="Trang 2").click()
    expect(document.locator("input[data-name='pages']")).to_have_value("2")
    expect(page.locator("#problem-count")).to_have_text("Không có lỗi")

    # By keyboard: the third section up, its button keeping the focus; then up once more.
    third = page.locator("#sections > li.section").nth(2)
    third.get_by_role("button", name="Chuyển phần này lên").focus()
    page.keyboard.press("Enter")
    assert section_titles(page) == ["Nhà rông", "Lễ hội", "Chợ"]
    page.keyboard.press("Enter")
    assert section_titles(page) == ["Lễ hội", "Nhà rông", "Chợ"]
    # By dragging with the mouse (a native drag: pressed, moved, let go), the first section
    # onto the lower half of the last. The window is made as tall as the page, so that nothing
    # scrolls during the drag: Playwright's drag in headless Chromium takes the place it was
    # pressed at before a scroll for the place after, and drags what is there then.
    sections = page.locator("#sections > li.section")
    tall = page.evaluate("() => document.documentElement.scrollHeight")
    page.set_viewport_size({"width": DESKTOP["width"], "height": tall})
    start, last = sections.nth(0).locator("h3").bounding_box(), sections.nth(2).bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(last["x"] + 20, last["y"] + last["height"] - 20)
    page.mouse.move(last["x"] + 30, last["y"] + last["height"] - 20)  # the first only starts it
    expect(sections.nth(2)).to_have_class(re.compile("drop-after"))  # where it would go
    page.mouse.up()
    expect(page.locator(".drop-before, .drop-after")).to_have_count(0)  # the mark is gone
    page.set_viewport_size(DESKTOP)
    assert section_titles(page) == ["Nhà rông", "Chợ", "Lễ hội"]
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".staff-messages")).to_contain_text("Đã lưu")
    assert section_titles(page) == ["Nhà rông", "Chợ", "Lễ hội"]

    page.goto(f"/staff/exhibitions/{SLUG}")
    page.get_by_role("link", name="Xem trước trang như công chúng sẽ thấy").click()
    expect(page.locator("h1")).to_have_text("Đời sống vùng cao")
    assert curated["server"] not in page.url or "/staff/" in page.url
    page.go_back()
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra và công bố").click()
    expect(page.locator(".staff-messages")).to_contain_text("Đã công bố")

    page.goto("/exhibitions")
    page.get_by_role("link", name="Đời sống vùng cao").first.click()
    page.wait_for_url(re.compile(rf"/exhibitions/{SLUG}$"))
    draws_tiles(curator)
    manifest = page.request.get(f"/iiif/exhibitions/{SLUG}/manifest.json").json()
    ranges = [r["label"]["vi"][0] for r in manifest["structures"]]
    assert ranges == ["Nhà rông", "Chợ", "Lễ hội"]
    assert curator.unexpected_errors() == []


def test_a_stale_save_is_refused_and_the_typed_text_survives(curator, curated):
    from playwright.sync_api import expect

    page = curator.page
    path = curated["home"] / "exhibitions" / "hai-nguoi.yaml"
    assert (
        Cli(CliRunner(), curated["home"], curated["home"].parent)(
            "exhibition", "new", "hai-nguoi"
        ).exit_code
        == 0
    )
    page.goto("/staff/exhibitions/hai-nguoi/edit")
    page.fill("#title_en", "Typed by the first curator")
    # Meanwhile another curator saves (here, by hand in the file).
    path.write_text(path.read_text("utf-8").replace("Tên triển lãm", "Tên khác"), "utf-8")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".stale")).to_contain_text("Chưa lưu")
    expect(page.locator(".stale pre")).to_contain_text("Tên khác")
    expect(page.locator("#title_en")).to_have_value("Typed by the first curator")
    assert "Tên khác" in path.read_text("utf-8")
    assert "Typed by the first curator" not in path.read_text("utf-8")


def test_a_curator_adds_a_language_with_the_keyboard_alone_on_a_phone(curator, curated):
    from playwright.sync_api import expect

    page = curator.page
    page.set_viewport_size(STAFF_PHONE)
    path = curated["home"] / "exhibitions" / "ba-ngu.yaml"
    run = Cli(CliRunner(), curated["home"], curated["home"].parent)
    assert run("exhibition", "new", "ba-ngu").exit_code == 0
    page.goto("/staff/exhibitions/ba-ngu/edit")
    tab_to(page, "#new-language", presses=120)
    page.keyboard.press("ArrowDown")  # Bahnar is offered first; Sedang next
    expect(page.locator("#new-language")).to_have_value("sed")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("[role=status]")).to_contain_text("Đã thêm Tiếng Xơ Đăng")
    expect(page.locator("#title_sed")).to_be_focused()  # where the curator writes next
    expect(page.get_by_label("Nhan đề bằng tiếng Xơ Đăng")).to_have_count(2)  # and its section's
    assert "sed" not in path.read_text("utf-8")  # added to the form, not saved yet
    page.keyboard.type("Hnam rông")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # a field's Enter saves, as before
    expect(page.locator(".staff-messages")).to_contain_text("Đã lưu")
    assert "sed: Hnam rông" in path.read_text("utf-8")
    for lang in ("vi", "en"):
        page.goto(f"/staff/exhibitions/ba-ngu/edit?lang={lang}")
        expect(page.locator("#title_sed")).to_have_value("Hnam rông")
        assert serious_violations(page) == [], lang
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= STAFF_PHONE["width"], f"the editor in {lang} is {width} px wide"
    assert curator.unexpected_errors() == []
