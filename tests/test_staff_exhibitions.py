"""The exhibitions in the staff workspace, through Flask's test client: the list by state, one
exhibition's page saying why its file cannot be published, publishing by role (a viewer and an
archivist who is not a curator cannot), the preview at a staff-only address, the export as a
.zip, the visitors entered and the online views counted, and the partners' list."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile

from sqlalchemy import text
from werkzeug.datastructures import MultiDict

from tests import test_staff
from tests.test_staff import EXHIBITION, client_as, page, token

staff = test_staff.staff  # the fixture: an archive, its accounts, a published exhibition

DRAFT = "cho-phien"


def _draft(staff, title: str = "Chợ phiên", item: str = "anh-1.jpg") -> None:
    (staff["home"] / "exhibitions" / f"{DRAFT}.yaml").write_text(
        f"id: {DRAFT}\nkind: photo\ntitle: {{vi: {title}, en: Markets}}\n"
        "partner: {vi: Bảo tàng tỉnh Kon Tum, en: Kon Tum Provincial Museum}\n"
        f"sections:\n  - title: {{vi: Chợ}}\n    items:\n      - item: {staff['ids'][item]}\n",
        encoding="utf-8",
    )


def post(client, address: str, **data):
    return client.post(address, data={"csrf_token": token(client), **data})


def test_the_list_shows_drafts_and_published_exhibitions_with_their_facts(staff):
    _draft(staff)
    html = page(client_as(staff["app"], "dung"), "/staff/exhibitions?lang=en")
    drafts = html.split('id="group-draft"')[1].split("<h2")[0]
    closed = html.split('id="group-closed"')[1].split("<h2")[0]
    assert "Markets" in drafts and "Kon Tum Provincial Museum" in drafts
    assert "Villages" in closed and "10 December 2024" in closed


def test_a_viewer_and_an_archivist_cannot_publish_a_curator_can(staff):
    _draft(staff)
    address = f"/staff/exhibitions/{DRAFT}/publish"
    for name in ("dung", "binh"):  # viewer, archivist
        assert post(client_as(staff["app"], name), address).status_code == 403
    public = staff["app"].test_client()
    assert public.get(f"/exhibitions/{DRAFT}").status_code == 404
    assert post(client_as(staff["app"], "chi"), address).status_code == 303
    assert "Chợ phiên" in public.get(f"/exhibitions/{DRAFT}").get_data(as_text=True)


def test_a_file_with_a_restricted_item_says_why_it_is_not_published(staff):
    _draft(staff, item="anh-2.jpg")  # the restricted photo
    curator = client_as(staff["app"], "chi")
    html = page(curator, f"/staff/exhibitions/{DRAFT}?lang=en")
    assert "The file has 1 problem" in html and "is restricted" in html
    assert post(curator, f"/staff/exhibitions/{DRAFT}/publish").status_code == 303
    assert "Not published" in page(curator, f"/staff/exhibitions/{DRAFT}?lang=en")


def test_the_preview_is_the_public_page_at_a_staff_only_address(staff):
    _draft(staff, title="Bản nháp")
    address = f"/staff/exhibitions/{DRAFT}/preview"
    assert client_as(staff["app"]).get(address).status_code == 302  # to the sign-in page
    html = page(client_as(staff["app"], "dung"), address)
    assert "Bản nháp" in html and f"/staff/exhibitions/{DRAFT}/preview/manifest.json" in html
    manifest = client_as(staff["app"], "dung").get(f"{address}/manifest.json").get_json()
    assert manifest["id"].endswith(f"/iiif/exhibitions/{DRAFT}/manifest.json")
    assert manifest["label"]["vi"] == ["Bản nháp"]


def test_the_site_is_exported_as_a_zip_from_the_workspace(staff, tmp_path, monkeypatch):
    from exhibitions import export, publish

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    answer = client_as(staff["app"], "chi").get(
        f"/staff/exhibitions/{EXHIBITION}/export.zip?base_url=https://example.org/lang",
        buffered=False,
    )
    data = answer.get_data()
    answer.close()
    assert list(scratch.iterdir()) == []  # sent from a file, gone once sent
    # The same site, file for file, as `exhibition export` writes.
    found = publish.find_definition(staff["archive"], EXHIBITION)
    made = export.export_zip(
        staff["archive"], found, tmp_path / "cli.zip", "https://example.org/lang"
    )
    sent, written = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(made)
    assert sent.namelist() == written.namelist()
    assert all(sent.read(name) == written.read(name) for name in written.namelist())
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert f"{EXHIBITION}/index.html" in names and f"{EXHIBITION}/index.en.html" in names
    manifest = zipfile.ZipFile(io.BytesIO(data)).read(
        f"{EXHIBITION}/iiif/exhibitions/{EXHIBITION}/manifest.json"
    )
    assert b"https://example.org/lang/iiif/exhibitions/lang/manifest.json" in manifest


def test_views_are_counted_by_day_and_visitors_entered(staff):
    public = staff["app"].test_client()
    curator = client_as(staff["app"], "chi")
    before = page(curator, f"/staff/exhibitions/{EXHIBITION}?lang=en")
    for _ in range(3):
        assert public.get(f"/exhibitions/{EXHIBITION}").status_code == 200
    assert post(curator, f"/staff/exhibitions/{EXHIBITION}/visitors", visitors="1200").status_code
    html = page(curator, f"/staff/exhibitions/{EXHIBITION}?lang=en")
    assert 'value="1200"' in html
    counts = [int(n) for n in re.findall(r"<td>(\d+)</td></tr>", html)]
    earlier = [int(n) for n in re.findall(r"<td>(\d+)</td></tr>", before)]
    assert sum(counts) == sum(earlier) + 3
    with staff["archive"].session() as session:
        columns = session.execute(text("select * from daily_views"))
        assert list(columns.keys()) == ["day", "route", "key", "count"]  # nothing of the visitor
    refused = post(curator, f"/staff/exhibitions/{EXHIBITION}/visitors", visitors="-4")
    assert refused.status_code == 303
    assert 'value="1200"' in page(curator, f"/staff/exhibitions/{EXHIBITION}")


def test_curators_keep_the_list_of_partners_and_viewers_read_it(staff):
    curator, viewer = client_as(staff["app"], "chi"), client_as(staff["app"], "dung")
    assert "Bộ Thông tin và Truyền thông" in page(viewer, "/staff/partners")
    data = {"name_vi": "Bảo tàng Dân tộc học", "name_en": "Museum of Ethnology"}
    assert post(viewer, "/staff/partners", **data).status_code == 403
    assert post(curator, "/staff/partners", **data).status_code == 303
    assert "Museum of Ethnology" in page(viewer, "/staff/partners")


# --- the editor ---------------------------------------------------------------------------------

COMMENTED = """\
# The curator's note on top stays.
id: {slug}
kind: photo
title: {{vi: "Chợ phiên", en: "Markets"}}  # the title as the partner asked
sections:
  # The first section: the market itself.
  - title: {{vi: "Chợ"}}
    items:
      - item: {item}
        caption: {{vi: "Phiên chợ"}}
"""


def _commented(staff) -> str:
    text = COMMENTED.format(slug=DRAFT, item=staff["ids"]["anh-1.jpg"])
    (staff["home"] / "exhibitions" / f"{DRAFT}.yaml").write_text(text, encoding="utf-8")
    return text


def _form(client, opened: str, sections: list[tuple[str, str, list[str]]], **fields):
    """The editor's form as a browser sends it: in the order of the page."""
    data = [("csrf_token", token(client)), ("opened", opened), ("kind", "photo")]
    data += [(name, value) for name, value in fields.items()]
    for i, (origin, title, entries) in enumerate(sections):
        data += [(f"s{i}", origin), (f"s{i}_title_vi", title)]
        for j, item in enumerate(entries):
            data += [(f"s{i}_e{j}", item), (f"s{i}_e{j}_caption_vi", f"Ảnh {item}")]
            data += [(f"s{i}_e{j}_pages", "")]
    return MultiDict(data)


def test_only_curators_and_administrators_open_the_editor(staff):
    _commented(staff)
    for name, status in (("dung", 403), ("binh", 403), ("chi", 200), ("an", 200)):
        answer = client_as(staff["app"], name).get(f"/staff/exhibitions/{DRAFT}/edit")
        assert answer.status_code == status, name


def test_saving_writes_the_file_with_the_curators_comments_kept(staff):
    opened = _commented(staff)
    curator = client_as(staff["app"], "chi")
    assert 'value="Chợ phiên"' in page(curator, f"/staff/exhibitions/{DRAFT}/edit")
    photos = [staff["ids"]["anh-0.jpg"], staff["ids"]["anh-1.jpg"]]
    data = _form(
        curator,
        opened,
        [("new", "Làng", [photos[0]]), ("0", "Chợ", [photos[1]])],  # a section put first
        title_vi="Chợ phiên vùng cao",
        title_en="Highland markets",
        start="2025-01-05",
    )
    answer = curator.post(f"/staff/exhibitions/{DRAFT}/edit", data=data)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    text = (staff["home"] / "exhibitions" / f"{DRAFT}.yaml").read_text("utf-8")
    assert text.startswith("# The curator's note on top stays.\n")
    assert "# the title as the partner asked" in text
    assert "# The first section: the market itself." in text
    assert "Highland markets" in text and "start: 2025-01-05" in text
    assert f"Ảnh {photos[1]}" in text
    from exhibitions import lifecycle

    found, problems = lifecycle.inspect(staff["archive"], text, staff["home"] / "x.yaml")
    assert problems == [] and [s.title["vi"] for s in found.sections] == ["Làng", "Chợ"]


def test_a_stale_save_is_refused_with_what_changed_and_the_typed_text_kept(staff):
    opened = _commented(staff)
    path = staff["home"] / "exhibitions" / f"{DRAFT}.yaml"
    path.write_text(opened.replace("Markets", "Market days"), encoding="utf-8")  # another, first
    curator = client_as(staff["app"], "chi")
    data = _form(
        curator,
        opened,
        [("0", "Chợ", [staff["ids"]["anh-1.jpg"]])],
        title_vi="Gõ lúc nãy",
        title_en="Typed a while ago",
    )
    answer = curator.post(f"/staff/exhibitions/{DRAFT}/edit?lang=en", data=data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Not saved: the definition was changed since you opened it" in html
    assert "+title: {vi: &#34;Chợ phiên&#34;, en: &#34;Market days&#34;}" in html.replace(
        "&quot;", "&#34;"
    )
    assert 'value="Typed a while ago"' in html and 'value="Gõ lúc nãy"' in html
    assert "Market days" in path.read_text("utf-8")  # nothing overwritten


def test_the_check_gives_each_problem_with_its_field_as_the_curator_types(staff):
    opened = _commented(staff)
    curator = client_as(staff["app"], "chi")
    data = _form(
        curator,
        opened,
        [("0", "Chợ", [staff["ids"]["anh-1.jpg"], staff["ids"]["anh-2.jpg"]])],
        title_vi="",
        start="2025-02-30",
    )
    answer = curator.post(f"/staff/exhibitions/{DRAFT}/check?lang=en", data=data).get_json()
    fields = {problem["field"] for problem in answer["problems"]}
    assert {"s0-i1", "dates"} <= fields, answer  # the restricted photo; the bad day
    assert any(p["field"] in ("title", "id", "kind") for p in answer["problems"])  # no title
    assert answer["summary"] == f"{len(answer['problems'])} problems"


def test_items_are_found_with_thumbnails_and_restricted_ones_marked(staff):
    curator = client_as(staff["app"], "chi")
    found = curator.get("/staff/exhibitions/find?q=MATKHAU").get_json()["items"]
    assert [item["access"] for item in found] == ["restricted"]
    assert found[0]["pages"] == []  # its images are not shown
    market = curator.get("/staff/exhibitions/find?q=Chợ phiên").get_json()["items"]
    assert market[0]["pages"][0]["url"].startswith("/iiif/images/")


def test_a_curator_adds_a_language_writes_in_it_and_removes_it(staff):
    opened = _commented(staff)
    path = staff["home"] / "exhibitions" / f"{DRAFT}.yaml"
    curator = client_as(staff["app"], "chi")
    photo = staff["ids"]["anh-1.jpg"]
    section, title = [("0", "Chợ", [photo])], {"title_vi": "Chợ phiên"}
    # Added: a field beside each Vietnamese and English one; nothing saved yet.
    data = _form(curator, opened, section, add_language="1", new_language="bdq", **title)
    answer = curator.post(f"/staff/exhibitions/{DRAFT}/edit?lang=en", data=data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and path.read_text("utf-8") == opened
    assert 'id="title_bdq" name="title_bdq" lang="bdq"' in html and "autofocus" in html
    assert 'name="s0_e0_caption_bdq"' in html and 'name="s0_title_bdq"' in html
    assert "Title in Bahnar" in html and 'value="bdq"' in html
    assert '<option value="bdq">' not in html  # offered no more
    # Saved: the file carries it, its comments kept, and the check accepts it.
    data = _form(curator, opened, section, title_bdq="Plei", s0_title_bdq="Chợ plei", **title)
    data.setlist("language", ["vi", "en", "bdq"])
    data.add("s0_e0_caption_bdq", "Hơlam")
    assert curator.post(f"/staff/exhibitions/{DRAFT}/edit", data=data).status_code == 303
    saved = path.read_text("utf-8")
    assert "bdq: Plei" in saved and "# the title as the partner asked" in saved
    assert "bdq: Hơlam" in saved and "# The first section: the market itself." in saved
    from exhibitions import lifecycle

    found, problems = lifecycle.inspect(staff["archive"], saved, path)
    assert problems == [] and found.title["bdq"] == "Plei"
    assert found.sections[0].entries[0].caption["bdq"] == "Hơlam"
    # The editor shows it again, removable; removed, its texts go when saved.
    html = page(curator, f"/staff/exhibitions/{DRAFT}/edit?lang=en")
    assert 'value="Plei"' in html and 'name="remove_language" value="bdq"' in html
    data = _form(curator, saved, section, remove_language="bdq", title_bdq="Plei", **title)
    data.setlist("language", ["vi", "en", "bdq"])
    html = curator.post(f"/staff/exhibitions/{DRAFT}/edit?lang=en", data=data).get_data(True)
    assert "title_bdq" not in html and '<option value="bdq">' in html
    data = _form(curator, saved, section, **title)
    data.setlist("language", ["vi", "en"])
    assert curator.post(f"/staff/exhibitions/{DRAFT}/edit", data=data).status_code == 303
    assert "bdq" not in path.read_text("utf-8")
    assert "# the title as the partner asked" in path.read_text("utf-8")


def test_a_language_code_that_is_none_is_refused_with_its_reason(staff):
    opened = _commented(staff)
    curator = client_as(staff["app"], "chi")
    data = _form(curator, opened, [("0", "Chợ", [staff["ids"]["anh-1.jpg"]])], title_xx="x")
    data.setlist("language", ["vi", "en", "EN_us"])
    for route in ("edit", "check"):
        answer = curator.post(f"/staff/exhibitions/{DRAFT}/{route}", data=data)
        assert answer.status_code == 400 and "'EN_us' is not a language code" in answer.text
    data.setlist("language", ["vi", "en"])
    data["add_language"], data["new_language"] = "1", "xx"  # not one the editor offers
    assert curator.post(f"/staff/exhibitions/{DRAFT}/edit", data=data).status_code == 400
    del data["add_language"]
    data["remove_language"] = "vi"
    answer = curator.post(f"/staff/exhibitions/{DRAFT}/edit", data=data)
    assert answer.status_code == 400 and "Vietnamese and English always stay" in answer.text
    path = staff["home"] / "exhibitions" / f"{DRAFT}.yaml"
    assert path.read_text("utf-8") == opened  # nothing written


def test_saving_keeps_a_key_that_is_no_language_code_for_the_check_to_name():
    from exhibitions import editing

    text = 'id: a\nkind: photo\ntitle: {vi: "Làng", EN: "Village", bdq: "Plei"}\nsections: []\n'
    draft = editing.form_of(text)
    assert draft.languages == ["vi", "en", "bdq"]
    draft.texts["title"] = {"vi": "Làng mới", "bdq": "Plei"}
    saved = editing.apply(text, "a", draft)
    assert 'EN: "Village"' in saved and 'bdq: "Plei"' in saved and "Làng mới" in saved


SECTIONED = """\
id: a
kind: photo
title: {vi: "A"}
sections:
  # Above the first section.
  - title: {vi: "Chợ"}
    # Inside the market's section.
    items:
      - item: KT-2024-000001
  - title: {vi: "Làng"}
    items:
      - item: KT-2024-000002
        caption: {vi: "Nhà rông"}
  # Between the village and the festival.
  - title: {vi: "Lễ hội"}
    items:
      - item: KT-2024-000003
"""


def test_a_save_keeps_every_comment_and_reordering_moves_those_inside_a_section():
    from exhibitions import editing

    draft = editing.form_of(SECTIONED)
    assert editing.apply(SECTIONED, "a", draft) == SECTIONED  # the comment after a {…} too
    draft.sections.reverse()
    moved = editing.apply(SECTIONED, "a", draft)
    lines = [line.strip() for line in moved.splitlines()]
    assert lines.index("# Above the first section.") < lines.index('- title: {vi: "Lễ hội"}')
    inside = lines.index("# Inside the market's section.")
    assert lines[inside - 1] == '- title: {vi: "Chợ"}'  # it moved with its section
    # One between two sections is the end of the one above: it goes with the village.
    between = lines.index("# Between the village and the festival.")
    assert lines[between - 1] == 'caption: {vi: "Nhà rông"}'
    assert sorted(moved.splitlines()) == sorted(SECTIONED.splitlines())  # nothing lost


def test_a_section_place_given_twice_makes_a_new_section_not_an_alias():
    from exhibitions import editing

    draft = editing.form_of(SECTIONED)
    draft.sections[1].origin = 0  # a form sent by hand
    saved = editing.apply(SECTIONED, "a", draft)
    assert "&" not in saved and "*" not in saved  # no YAML anchor: three sections written out
    assert saved.count("- title:") == 3
