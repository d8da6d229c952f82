"""The archivist's pages of the staff workspace through Flask's test client: tag review (each
automatic tag with its evidence, accepted or rejected, a rejection kept through `tag --retag`),
the correction of a page's text beside its image (a new version, the versions and their
differences, search finding the new word at once), the dashboard of what needs doing, and the
item editor."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from archive import items, users
from archive.cli import cli
from archive.models import Item, Page, Tag
from catalogue.app import create_app
from demo.samples import make_page
from tests.conftest import Cli, make_image, text_pdf, wait_for
from tests.test_staff import client_as as staff_client_as

PASSWORD = "correct horse battery"
PEOPLE = {"an": "admin", "binh": "archivist", "chi": "curator", "dung": "viewer"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SCANNED = "Công ước về Quyền trẻ em\nBảo vệ trẻ em ở Kon Tum"


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> dict:
    """An archive of a document with a text layer (tagged by its phrases), a scanned page read
    by Tesseract, and a photo known only by its file name, with no date; its accounts and app."""
    root = tmp_path_factory.mktemp("desk")
    home = root / "home"
    run = Cli(CliRunner(), home, root)
    assert run("init").exit_code == 0
    documents, photos = root / "documents", root / "photos"
    text_pdf(
        documents / "ke-hoach.pdf",
        ["A plan of communication on human rights", "Convention on the Rights of the Child"],
    )
    make_page(SCANNED, size_pt=14, seed=3).crop((0, 0, 2480, 700)).save(
        documents / "trang.png", dpi=(300, 300)
    )
    make_page("Biên bản họp thôn", seed=5).crop((0, 0, 1600, 400)).save(
        documents / "bien-ban.png", dpi=(300, 300)
    )
    make_image(photos / "IMG_0042.jpg", size=(80, 60))
    failing = root / "failing"
    failing.mkdir()
    make_page("Trang đọc hỏng", seed=4).crop((0, 0, 1200, 400)).save(failing / "hong.png")
    report = root / "failing.json"
    read = run.runner.invoke(
        cli,
        ["--home", str(home), "ingest", str(failing), "--type", "document", "--report", report],
        env={"ARCHIVE_OCR_TIMEOUT": "0.001"},  # Tesseract is stopped before it has read it
    )
    assert "OCR failed: timed out" in read.output
    ids = {"hong.png": json.loads(report.read_text(encoding="utf-8"))["inputs"][0]["item"]}
    for folder, options in ((documents, ["--type", "document"]), (photos, [])):
        result, report = run.ingest(folder, "--collection", "kon-tum/van-ban", *options)
        assert report is not None, result.output
        for entry in report["inputs"]:
            ids[Path(entry["input"]).name] = entry["item"]
    app = create_app(home)
    archive = app.extensions["archive"]
    for name, role in PEOPLE.items():
        with archive.change("user add", by="setup") as work:
            users.add(work, name, role, PASSWORD)
    yield {"home": home, "app": app, "ids": ids, "archive": archive, "run": run}
    app.extensions["catalogue.kept"].close()
    app.extensions["search"].close()
    archive.close()


def client_as(desk: dict, name: str | None):
    return staff_client_as(desk["app"], name)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def post(client, path: str, data: dict):
    html = page(client, path.rsplit("/", 1)[0] if path.endswith("/revert") else path)
    token = TOKEN.search(html).group(1)
    return client.post(path, data={"csrf_token": token, **data})


def _tags(desk: dict, accession_id: str) -> dict[str, Tag]:
    with desk["archive"].session() as session:
        found = session.scalars(
            select(Tag).join(Tag.item).where(Tag.item.has(accession_id=accession_id))
        )
        return {f"{t.vocabulary}:{t.term}": t for t in found}


# --- tag review ---------------------------------------------------------------------------------


def test_the_review_page_shows_each_automatic_tag_with_its_phrases(desk):
    document = desk["ids"]["ke-hoach.pdf"]
    html = page(client_as(desk, "dung"), f"/staff/items/{document}/tags?lang=en")
    assert "convention:CRC" in html
    assert "Automatic, not reviewed" in html
    assert "«Convention on the Rights of the Child»" in html
    assert "page 1" in html
    assert 'value="reject"' not in html  # a viewer reads, and is offered no verdict


def test_an_archivist_rejects_a_tag_and_tag_retag_never_puts_it_back(desk):
    document = desk["ids"]["ke-hoach.pdf"]
    client = client_as(desk, "binh")
    done = post(
        client, f"/staff/items/{document}/tags", {"tag": "convention:CRC", "verdict": "reject"}
    )
    assert done.status_code == 303
    tag = _tags(desk, document)["convention:CRC"]
    assert (tag.source, tag.review, tag.removed) == ("auto", "rejected", True)
    assert tag.evidence["rule"] == "phrase"  # the evidence is kept with the verdict
    retag = desk["run"]("tag", "--retag")
    assert retag.exit_code == 0, retag.output
    tag = _tags(desk, document)["convention:CRC"]
    assert (tag.review, tag.removed) == ("rejected", True)
    public = client_as(desk, None).get(f"/items/{document}?lang=en").get_data(as_text=True)
    assert "convention=CRC" not in public
    assert document not in _search(desk, "&convention=CRC")  # nor in the facet
    shown = desk["run"]("item", "show", document)
    assert "convention:CRC" not in shown.output
    history = page(client, f"/staff/items/{document}/history")
    assert "tag convention:CRC" in history and "rejected" in history


def test_accepting_a_tag_marks_it_reviewed_and_the_cli_does_the_same(desk):
    scanned = desk["ids"]["trang.png"]
    before = _tags(desk, scanned)
    assert "convention:CRC" in before and before["convention:CRC"].review is None
    client = client_as(desk, "binh")
    done = post(client, f"/staff/items/{scanned}/tags", {"tag": "CRC", "verdict": "accept"})
    assert done.status_code == 303
    assert _tags(desk, scanned)["convention:CRC"].review == "accepted"
    html = page(client, f"/staff/items/{scanned}/tags?lang=en")
    assert "Automatic, accepted" in html
    rejected = desk["run"]("tag", "review", scanned, "convention:CRC", "--reject", "--by", "lan")
    assert rejected.exit_code == 0, rejected.output
    assert "convention:CRC rejected" in rejected.output
    assert _tags(desk, scanned)["convention:CRC"].review == "rejected"
    accepted = desk["run"]("tag", "review", scanned, "CRC", "--accept")
    assert accepted.exit_code == 0, accepted.output
    tag = _tags(desk, scanned)["convention:CRC"]
    assert (tag.review, tag.removed) == ("accepted", False)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"tag": "convention:CRX", "verdict": "accept"}, "did you mean"),
        ({"tag": "theme:education", "verdict": "accept"}, "has no automatic tag"),
        ({"tag": "CRC", "verdict": "maybe"}, "Choose a tag, and accept or reject it."),
        ({"verdict": "accept"}, "Choose a tag, and accept or reject it."),
    ],
)
def test_a_bad_review_is_refused_with_its_reason(desk, form, message):
    photo = desk["ids"]["IMG_0042.jpg"]
    refused = post(client_as(desk, "binh"), f"/staff/items/{photo}/tags?lang=en", form)
    assert refused.status_code == 400
    assert message in refused.get_data(as_text=True)


def test_the_cli_refuses_a_review_without_a_verdict(desk):
    photo = desk["ids"]["IMG_0042.jpg"]
    refused = desk["run"]("tag", "review", photo, "CRC")
    assert refused.exit_code == 2
    assert "--accept or --reject" in refused.output


@pytest.mark.parametrize("who", ["chi", "dung"])
def test_a_viewer_or_a_curator_cannot_review_a_tag(desk, who):
    document = desk["ids"]["ke-hoach.pdf"]
    refused = post(
        client_as(desk, who), f"/staff/items/{document}/tags", {"tag": "CRC", "verdict": "accept"}
    )
    assert refused.status_code == 403


# --- correcting a page's text -------------------------------------------------------------------


def _search(desk: dict, words: str) -> str:
    return client_as(desk, None).get(f"/search?q={words}").get_data(as_text=True)


def test_the_correction_page_shows_the_image_in_the_viewer_beside_the_text(desk):
    scanned = desk["ids"]["trang.png"]
    html = page(client_as(desk, "binh"), f"/staff/items/{scanned}/pages/1/text?lang=en")
    assert f'data-info="/staff/images/{scanned}/1/info.json"' in html
    assert "openseadragon.min.js" in html and "catalogue.js" in html
    assert re.search(r'<textarea id="text" name="text"[^>]*>[^<]*Kon Tum', html)
    assert "OCR confidence" in html


def test_a_restricted_pages_image_shows_to_staff_and_is_kept_by_no_cache(desk):
    scanned = desk["ids"]["bien-ban.png"]
    with desk["archive"].change("item set", by="binh") as work:
        items.edit(work, scanned, {"access": "restricted"}, "vi")
    try:
        viewer, anonymous = client_as(desk, "dung"), client_as(desk, None)
        html = page(viewer, f"/staff/items/{scanned}/pages/1/text")
        info_url = f"/staff/images/{scanned}/1/info.json"
        assert f'data-info="{info_url}"' in html
        assert anonymous.get(f"/iiif/images/{scanned}/1/info.json").status_code == 404
        info = viewer.get(info_url)
        assert info.status_code == 200 and "no-store" in info.headers["Cache-Control"]
        assert info.get_json()["id"].endswith(f"/staff/images/{scanned}/1")
        size = info.get_json()["sizes"][0]
        for image in (
            f"full/{size['width']},{size['height']}/0/default.jpg",
            "full/max/0/default.jpg",
        ):
            with viewer.get(f"/staff/images/{scanned}/1/{image}") as tile:
                assert tile.status_code == 200 and tile.mimetype == "image/jpeg"
                assert tile.data[:3] == b"\xff\xd8\xff"
                assert "no-store" in tile.headers["Cache-Control"]
                assert "public" not in tile.headers["Cache-Control"]
                assert "max-age" not in tile.headers["Cache-Control"]
                assert "Expires" not in tile.headers
            tile = anonymous.get(f"/staff/images/{scanned}/1/{image}")
            assert tile.status_code == 302 and "/staff/login" in tile.headers["Location"]
        for wrong in ("2/info.json", "1/full/max/0/default.png", "1/../../../secret_key"):
            assert viewer.get(f"/staff/images/{scanned}/{wrong}").status_code == 404, wrong
        assert viewer.get("/staff/images/KT-1999-000001/1/info.json").status_code == 404
    finally:
        with desk["archive"].change("item set", by="binh") as work:
            items.edit(work, scanned, {"access": "public"}, "vi")


def test_a_corrected_text_is_a_new_version_found_by_search_at_once(desk):
    scanned = desk["ids"]["trang.png"]
    assert scanned not in _search(desk, "Zyxwabc")
    client = client_as(desk, "binh")
    html = page(client, f"/staff/items/{scanned}/pages/1/text")
    base = re.search(r'name="base" value="(\d+)"', html).group(1)
    corrected = "Công ước về Quyền trẻ em\nBảo vệ trẻ em ở Kon Tum <b>Zyxwabc</b>"
    token = TOKEN.search(html).group(1)
    saved = client.post(
        f"/staff/items/{scanned}/pages/1/text",
        data={"csrf_token": token, "text": corrected, "base": base},
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    assert scanned in _search(desk, "Zyxwabc")
    shown = page(client, f"/staff/items/{scanned}/pages/1/text?lang=en")
    assert f"Version {int(base) + 1}" in shown and "(current)" in shown
    assert "<ins>+ Bảo vệ trẻ em ở Kon Tum &lt;b&gt;Zyxwabc&lt;/b&gt;</ins>" in shown
    assert "<b>Zyxwabc" not in shown  # escaped everywhere
    first = page(client, f"/staff/items/{scanned}/pages/1/text?diff={base}&lang=en")
    assert "What version" not in first  # the first version changed nothing before it
    shown_cli = desk["run"]("item", "text", scanned, "--page", "1")
    assert "Zyxwabc" in shown_cli.output
    history = page(client, f"/staff/items/{scanned}/history")
    assert "text p.1" in history


def test_a_stale_form_does_not_replace_a_newer_text(desk):
    scanned = desk["ids"]["trang.png"]
    client = client_as(desk, "binh")
    html = page(client, f"/staff/items/{scanned}/pages/1/text")
    token = TOKEN.search(html).group(1)
    stale = client.post(
        f"/staff/items/{scanned}/pages/1/text?lang=en",
        data={"csrf_token": token, "text": "an old draft", "base": "1"},
    )
    assert stale.status_code == 400
    answer = stale.get_data(as_text=True)
    assert "Someone saved another version of this text since you opened it" in answer
    assert "an old draft</textarea>" in answer  # what was typed is not lost
    current = desk["run"]("item", "text", scanned, "--page", "1")
    assert "an old draft" not in current.output


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "the transcription is empty"), ("x" * 200_001, "The text is too long")],
)
def test_a_bad_text_is_refused_with_its_reason(desk, text, message):
    scanned = desk["ids"]["trang.png"]
    client = client_as(desk, "binh")
    html = page(client, f"/staff/items/{scanned}/pages/1/text")
    base = re.search(r'name="base" value="(\d+)"', html).group(1)
    refused = client.post(
        f"/staff/items/{scanned}/pages/1/text?lang=en",
        data={"csrf_token": TOKEN.search(html).group(1), "text": text, "base": base},
    )
    assert refused.status_code == 400
    assert message in refused.get_data(as_text=True)


def test_a_page_that_does_not_exist_has_no_text_page(desk):
    scanned = desk["ids"]["trang.png"]
    assert client_as(desk, "dung").get(f"/staff/items/{scanned}/pages/9/text").status_code == 404
    assert (
        client_as(desk, "dung").get("/staff/items/KT-1999-000001/pages/1/text").status_code == 404
    )


def test_a_viewer_reads_the_text_and_cannot_save_it(desk):
    scanned = desk["ids"]["trang.png"]
    client = client_as(desk, "dung")
    html = page(client, f"/staff/items/{scanned}/pages/1/text")
    assert "<textarea" not in html and 'class="page-text"' in html
    refused = client.post(
        f"/staff/items/{scanned}/pages/1/text",
        data={"csrf_token": TOKEN.search(html).group(1), "text": "x", "base": "1"},
    )
    assert refused.status_code == 403


# --- the dashboard ------------------------------------------------------------------------------


def _ocr_status(desk: dict, accession_id: str) -> str | None:
    with desk["archive"].session() as session:
        return session.scalar(
            select(Page.ocr_status).join(Item).where(Item.accession_id == accession_id)
        )


def test_the_dashboard_lists_pages_under_the_confidence_chosen(desk):
    scanned = desk["ids"]["bien-ban.png"]
    client = client_as(desk, "dung")
    everything = page(client, "/staff/?confidence=100&lang=en")
    listed = re.search(r'<ul class="worklist" id="unsure-pages">.*?</ul>', everything, re.S)
    assert listed and f"/staff/items/{scanned}/pages/1/text" in listed.group(0)
    nothing = page(client, "/staff/?confidence=0&lang=en")
    assert 'id="unsure-pages"' not in nothing
    assert "Pages read with a confidence under 0: 0" in nothing
    refused = client.get("/staff/?confidence=lots&lang=en")
    assert refused.status_code == 400
    assert "A confidence is a number from 0 to 100." in refused.get_data(as_text=True)


def test_the_dashboard_lists_unreviewed_tags_file_names_and_undated_items(desk):
    photo, document = desk["ids"]["IMG_0042.jpg"], desk["ids"]["ke-hoach.pdf"]
    html = page(client_as(desk, "dung"), "/staff/?lang=en")
    assert "Automatic tags not yet reviewed:" in html
    file_named = re.search(r'id="file-named">.*?</ul>', html, re.S).group(0)
    assert photo in file_named and "IMG_0042" in file_named
    undated = re.search(r'id="undated">.*?</ul>', html, re.S).group(0)
    assert photo in undated
    with desk["archive"].change("item set", by="binh") as work:
        items.edit(work, photo, {"title": "Ảnh nhà rông", "date": "1975"}, "vi")
    html = page(client_as(desk, "dung"), "/staff/?lang=en")
    assert photo not in re.search(r'id="file-named">.*?</ul>', html, re.S).group(0)
    assert document in re.search(r'id="file-named">.*?</ul>', html, re.S).group(0)
    undated = re.search(r'id="undated">.*?</ul>', html, re.S)
    assert undated is None or photo not in undated.group(0)


def test_each_list_of_the_dashboard_is_paged_and_keeps_the_others_where_they_are(desk, monkeypatch):
    from archive import worklist

    monkeypatch.setattr(worklist, "LIMIT", 1)
    client = client_as(desk, "dung")
    first = page(client, "/staff/?lang=en&confidence=100")
    undated = re.search(r'id="undated">.*?</nav>', first, re.S).group(0)
    count = int(re.search(r"Items with no date: (\d+)", first).group(1))
    assert count >= 2 and f"Page 1 of {count}" in undated and "Previous" not in undated
    following = re.search(r'href="([^"]*undated_page=2[^"]*)" rel="next"', undated).group(1)
    assert "confidence=100" in following and following.endswith("#undated-heading")
    second = page(client, following.replace("&amp;", "&"))
    listed = [re.search(r'id="undated">\s*<li><a href="/staff/items/([^"]+)"', html).group(1)
              for html in (first, second)]  # fmt: skip
    assert listed[0] != listed[1]
    assert f"Page 2 of {count}" in second and 'rel="prev"' in second
    assert re.search(r'id="file-named">.*?Page 1 of', second, re.S)  # the others stay on 1
    for wrong in ("abc", "0", "-1", "99999999999"):
        assert page(client, f"/staff/?undated_page={wrong}&lang=en").count("Page 1 of") >= 1
    beyond = page(client, f"/staff/?undated_page={count + 5}&lang=en")
    assert f"Page {count + 5} of {count}" in beyond and 'rel="prev"' in beyond


def test_the_dashboard_shows_the_last_runs_and_pages_whose_reading_failed(desk):
    failed = desk["ids"]["hong.png"]
    html = page(client_as(desk, "dung"), "/staff/?lang=en")
    assert "Run 1" in html and "Run 3" in html
    listed = re.search(r'id="failed-pages">.*?</ul>', html, re.S).group(0)
    assert failed in listed and "Read again" not in listed  # a viewer is offered nothing


def test_read_again_reads_a_failed_page_with_the_cli_and_credits_who_asked(desk):
    failed = desk["ids"]["hong.png"]
    assert _ocr_status(desk, failed) == "failed"
    client = client_as(desk, "binh")
    html = page(client, "/staff/?lang=en")
    listed = re.search(r'id="failed-pages">.*?</ul>', html, re.S).group(0)
    assert f'name="item" value="{failed}"' in listed
    done = client.post(
        "/staff/read-again", data={"csrf_token": TOKEN.search(html).group(1), "item": failed}
    )
    assert done.status_code == 303
    wait_for(lambda: _ocr_status(desk, failed) == "done", "the page read again")
    html = page(client, "/staff/?lang=en")
    assert f"/staff/items/{failed}/pages/1/text" not in html.split('id="ingest-heading"')[1]
    history = page(client, f"/staff/items/{failed}/history")
    assert re.search(r"<td>binh</td>\s*<td>ocr</td>", history)


def test_read_again_for_an_unknown_item_is_not_found_and_a_viewer_may_not(desk):
    client = client_as(desk, "binh")
    token = TOKEN.search(page(client, "/staff/")).group(1)
    unknown = client.post("/staff/read-again", data={"csrf_token": token, "item": "KT-1-1"})
    assert unknown.status_code == 404
    viewer = client_as(desk, "dung")
    token = TOKEN.search(page(viewer, "/staff/")).group(1)
    assert viewer.post("/staff/read-again", data={"csrf_token": token}).status_code == 403


# --- the item editor ----------------------------------------------------------------------------


def _editor(client, accession_id: str) -> tuple[str, dict[str, str]]:
    """The editor's page, and its form as the browser would send it unchanged."""
    html = page(client, f"/staff/items/{accession_id}?lang=en")
    form = dict(
        re.findall(r'<input id="field-[^"]*" name="([^"]+)" type="text" value="([^"]*)"', html)
    )
    for name, body in re.findall(r'<textarea id="field-[^"]*" name="([^"]+)"[^>]*>([^<]*)<', html):
        form[name] = body
    for name, options in re.findall(
        r'<select id="field-[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        form[name] = chosen.group(1) if chosen else re.search(r'value="([^"]*)"', options).group(1)
    form["csrf_token"] = TOKEN.search(html).group(1)
    form["stamp"] = re.search(r'name="stamp" value="([^"]+)"', html).group(1)
    return html, form


def test_the_editor_shows_every_field_and_offers_the_provinces_languages(desk):
    document = desk["ids"]["ke-hoach.pdf"]
    html, form = _editor(client_as(desk, "binh"), document)
    for name in (
        "title_vi",
        "description_add",
        "type",
        "date",
        "creator",
        "place",
        "latitude",
        "longitude",
        "subject",
        "language",
        "rights",
        "access",
        "collection",
    ):
        assert name in form, name
    assert form["title_vi"] == "ke-hoach" and form["collection"] == "kon-tum/van-ban"
    languages = re.search(r'name="title_add_lang">(.*?)</select>', html, re.S).group(1)
    for name in ("Bahnar", "Sedang", "Jarai", "Jeh", "Brao", "Romam", "English"):
        assert name in languages, name
    assert 'value="vi"' not in languages  # the title is written in Vietnamese already
    vietnamese = page(client_as(desk, "binh"), f"/staff/items/{document}")
    assert "Tiếng Ba Na" in vietnamese and "Thêm một ngôn ngữ" in vietnamese


def test_an_archivist_edits_an_item_and_the_public_page_search_and_history_follow(desk):
    document = desk["ids"]["ke-hoach.pdf"]
    client = client_as(desk, "binh")
    _html, form = _editor(client, document)
    form |= {
        "title_vi": "Kế hoạch truyền thông Xuanthuylam",
        "title_add_lang": "bdq",
        "title_add": "Hla tơblơ̆ Xuanthuylam",
        "date": "2023-05-05",
        "subject": "quyền con người; trẻ em",
    }
    saved = client.post(f"/staff/items/{document}", data=form)
    assert saved.status_code == 303, saved.get_data(as_text=True)
    public = client_as(desk, None).get(f"/items/{document}").get_data(as_text=True)
    assert "Kế hoạch truyền thông Xuanthuylam" in public and 'lang="bdq"' in public
    assert document in _search(desk, "xuanthuylam")
    history = page(client, f"/staff/items/{document}/history?lang=en")
    assert "Saved: title_vi, title_bdq, date, subject." in history
    for field in ("title_vi", "title_bdq", "date", "subject"):
        assert f"<td>{field}</td>" in history, field
    assert "<td>item edit</td>" in history and "<td>binh</td>" in history
    html, again = _editor(client, document)
    assert again["title_bdq"] == "Hla tơblơ̆ Xuanthuylam" and again["date"] == "2023-05-05"
    assert "Saved: " not in html  # said once, on the page after saving


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": "19755"}, "date", "&#39;19755&#39; is not an EDTF date"),
        ({"date": "1975-13"}, "date", "month 13 does not exist"),
        ({"latitude": "north"}, "latitude", "latitude: &#39;north&#39; is not a number"),
        ({"rights": "https://example.org/"}, "rights", "is not a RightsStatements.org"),
        ({"creator": "x" * 1001}, "creator", "creator: at most 1000 characters"),
        ({"language": "Vietnamese"}, "language", "is not an ISO 639-3 code"),
        ({"collection": "kon-tum/khong-co"}, "collection", "no such collection"),
        ({"title_add_lang": "en_US", "title_add": "A plan"}, "title_en_US", "did you mean"),
    ],
)
def test_a_bad_field_is_refused_beside_it_in_the_clis_words_and_nothing_is_saved(
    desk, changes, field, message
):
    photo = desk["ids"]["IMG_0042.jpg"]
    client = client_as(desk, "binh")
    _html, form = _editor(client, photo)
    form |= {"creator": "Người chụp mới"} | changes
    refused = client.post(f"/staff/items/{photo}?lang=en", data=form)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    error = re.search(rf'<p class="form-error" id="{re.escape(field)}-error"[^>]*>([^<]*)', html)
    assert error and message in error.group(1), html
    assert "Nothing was saved" in html
    assert _editor(client, photo)[1]["creator"] != "Người chụp mới"


def test_an_item_keeps_a_title_and_a_stale_form_changes_nothing(desk):
    photo = desk["ids"]["IMG_0042.jpg"]
    client = client_as(desk, "binh")
    _html, form = _editor(client, photo)
    cleared = client.post(f"/staff/items/{photo}?lang=en", data=form | {"title_vi": ""})
    assert cleared.status_code == 400
    assert "an item keeps a title" in cleared.get_data(as_text=True)
    with desk["archive"].change("item set", by="lan") as work:
        items.edit(work, photo, {"place": "Kon Rẫy"}, "vi")
    stale = client.post(f"/staff/items/{photo}?lang=en", data=form | {"creator": "Stale"})
    assert stale.status_code == 409
    assert "Someone changed this item since you opened it" in stale.get_data(as_text=True)
    assert _editor(client, photo)[1]["creator"] != "Stale"


@pytest.mark.parametrize("who", ["chi", "dung"])
def test_a_viewer_or_a_curator_reads_the_editor_and_cannot_save(desk, who):
    photo = desk["ids"]["IMG_0042.jpg"]
    client = client_as(desk, who)
    html, form = _editor(client, photo)
    assert '<button type="submit">Save</button>' not in html
    assert client.post(f"/staff/items/{photo}", data=form | {"creator": "X"}).status_code == 403


def test_a_position_is_changed_by_one_of_its_two_numbers_and_keeps_the_other_whole(desk):
    photo = desk["ids"]["IMG_0042.jpg"]
    client = client_as(desk, "binh")
    _html, form = _editor(client, photo)
    both = {"latitude": "14.353456", "longitude": "108.004321"}
    assert client.post(f"/staff/items/{photo}", data=form | both).status_code == 303
    _html, form = _editor(client, photo)
    assert (form["latitude"], form["longitude"]) == ("14.353456", "108.004321")
    assert (
        client.post(f"/staff/items/{photo}", data=form | {"longitude": "108.5"}).status_code == 303
    )
    _html, form = _editor(client, photo)
    assert (form["latitude"], form["longitude"]) == ("14.353456", "108.5")
    alone = client.post(f"/staff/items/{photo}?lang=en", data=form | {"longitude": ""})
    assert alone.status_code == 400
    assert "latitude and longitude go together" in alone.get_data(as_text=True)
