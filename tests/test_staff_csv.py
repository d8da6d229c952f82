"""The metadata.csv round trip in the staff workspace through Flask's test client: a selection
taken away as `archive export csv` writes it (no cell runs as a formula), an edited file brought
back with every change previewed field by field and every refused row with its reason, applied
as one unit of work (audited, on the public page and in search at once) and undone as one; bad
files (unreadable, an unknown column, a bad date, a path no item has, a stale preview) applying
nothing they should not; and who may do what."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from archive import items, users
from archive.models import AuditUnit
from catalogue.app import create_app
from tests.conftest import Cli, make_image
from tests.test_staff import client_as as staff_client_as

PASSWORD = "correct horse battery"
PEOPLE = {"an": "admin", "binh": "archivist", "chi": "curator", "dung": "viewer"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
FORMULA = '=HYPERLINK("http://x")'


@pytest.fixture(scope="module")
def desk(tmp_path_factory, shared_database) -> dict:
    """Two photos and a document of two pages in `kon-tum/anh` (one photo titled as a
    formula), a restricted photo elsewhere; the accounts and the catalogue app."""
    root = tmp_path_factory.mktemp("csv")
    home = shared_database.prepare(root / "home")
    run = Cli(CliRunner(), home, root)
    assert run("init").exit_code == 0
    folder, hidden = root / "in", root / "mat"
    make_image(folder / "a.jpg", color=(200, 0, 0))
    make_image(folder / "b.jpg", color=(0, 200, 0))
    make_image(folder / "trang" / "page-1.png", color=(0, 0, 200))
    make_image(folder / "trang" / "page-2.png", color=(0, 90, 200))
    make_image(hidden / "a.jpg", color=(9, 9, 9))
    (folder / "metadata.csv").write_text(
        f'file,title,date\na.jpg,"{FORMULA.replace(chr(34), 2 * chr(34))}",1975\n'
        "b.jpg,Chợ phiên Đắk Tô,1998\ntrang,Hồ sơ họp thôn,\n",
        encoding="utf-8",
    )
    ids = {}
    for source, options in ((folder, []), (hidden, ["--access", "restricted"])):
        collection = "kon-tum/anh" if source == folder else "mat"
        result, report = run.ingest(source, "--collection", collection, *options)
        assert report is not None, result.output
        for entry in report["inputs"]:
            ids[f"{source.name}/{Path(entry['input']).name}"] = entry["item"]
    app = create_app(home)
    archive = app.extensions["archive"]
    for name, role in PEOPLE.items():
        with archive.change("user add", by="setup") as work:
            users.add(work, name, role, PASSWORD)
    yield {"app": app, "archive": archive, "ids": ids, "run": run}
    app.extensions["catalogue.kept"].close()
    app.extensions["search"].close()
    archive.close()


def client_as(desk: dict, name: str | None):
    return staff_client_as(desk["app"], name)


def exported(client, **selection) -> list[dict[str, str]]:
    answer = client.get("/staff/csv/export", query_string=selection)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "text/csv" and "no-store" in answer.headers["Cache-Control"]
    assert answer.headers["Content-Disposition"] == "attachment; filename=metadata.csv"
    assert answer.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel reads UTF-8 by
    return list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))


def written(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    columns = list(dict.fromkeys(name for row in rows for name in row))
    writer = csv.DictWriter(out, fieldnames=columns, restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def preview(client, body: bytes):
    token = TOKEN.search(client.get("/staff/csv").get_data(as_text=True)).group(1)
    data = {"csrf_token": token, "sheet": (io.BytesIO(body), "metadata.csv")}
    return client.post("/staff/csv/preview?lang=en", data=data, content_type="multipart/form-data")


def apply(client, previewed):
    html = previewed.get_data(as_text=True)
    form = {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
        for name in ("csrf_token", "upload", "digest")
    }
    return client.post("/staff/csv/apply?lang=en", data=form)


def title(desk: dict, key: str) -> dict[str, str]:
    with desk["archive"].session() as session:
        return dict(items.find(session, desk["ids"][key]).title)


def test_a_selection_is_taken_away_as_metadata_csv_with_no_cell_a_formula(desk):
    rows = exported(client_as(desk, "dung"), **{"in": "kon-tum/anh"})
    assert [row["file"] for row in rows] == ["in/a.jpg", "in/b.jpg", "in/trang"]
    assert rows[0]["title_vi"] == "'" + FORMULA and rows[0]["date"] == "1975"
    assert rows[1]["title_vi"] == "Chợ phiên Đắk Tô" and rows[2]["title_vi"] == "Hồ sơ họp thôn"
    everything = exported(client_as(desk, "chi"))
    assert {row["file"] for row in everything} == {*(r["file"] for r in rows), "mat/a.jpg"}
    searched = exported(client_as(desk, "dung"), q="Đắk Tô")
    assert [row["file"] for row in searched] == ["in/b.jpg"]
    wrong = client_as(desk, "dung").get("/staff/csv/export?in=kon-tum/khong-co&lang=en")
    assert wrong.status_code == 400 and "no collection" in wrong.get_data(as_text=True)


def test_an_unedited_file_brought_back_changes_nothing(desk):
    client = client_as(desk, "binh")
    answer = preview(client, written(exported(client)))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, html
    assert "0 changes to 0 of the 4 items the file names." in html
    assert "Nothing would change" in html and 'id="csv-apply"' not in html


def test_an_edited_title_is_previewed_applied_as_one_unit_seen_at_once_and_undone(desk):
    client = client_as(desk, "binh")
    rows = exported(client, **{"in": "kon-tum/anh"})
    rows[1]["title_vi"] = "Chợ phiên Quyphongcho"
    rows[1]["title_en"] = "The Dak To market"
    answer = preview(client, written(rows))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, html
    assert "2 changes to 1 of the 3 items the file names." in html
    market = desk["ids"]["in/b.jpg"]
    changes = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>", html)
    assert sorted(changes) == [(market, "title_en"), (market, "title_vi")]
    assert "Chợ phiên Đắk Tô" in html and "Chợ phiên Quyphongcho" in html
    assert title(desk, "in/b.jpg")["vi"] == "Chợ phiên Đắk Tô"  # the preview changed nothing
    applied = apply(client, answer)
    assert applied.status_code == 303, applied.get_data(as_text=True)
    assert title(desk, "in/b.jpg") == {"vi": "Chợ phiên Quyphongcho", "en": "The Dak To market"}
    public = client_as(desk, None)
    assert "Chợ phiên Quyphongcho" in public.get(f"/items/{market}").get_data(as_text=True)
    assert market in public.get("/search?q=quyphongcho").get_data(as_text=True)
    made = client.get(applied.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Made from a metadata.csv." in made and "2 changes" in made
    with desk["archive"].session() as session:
        unit = session.scalar(select(AuditUnit).order_by(AuditUnit.id.desc()).limit(1))
        assert (unit.action, unit.by) == ("csv update", "binh")
        fields = {(e.target, e.field, e.after) for e in unit.entries if e.field != "tags"}
    assert (market, "title_vi", "Chợ phiên Quyphongcho") in fields
    assert apply(client, answer).status_code == 400  # the file is gone once applied
    token = TOKEN.search(made).group(1)
    undo = client.post(applied.headers["Location"] + "/undo", data={"csrf_token": token})
    assert undo.status_code == 303
    assert title(desk, "in/b.jpg") == {"vi": "Chợ phiên Đắk Tô"}
    assert market not in public.get("/search?q=quyphongcho").get_data(as_text=True)


def test_a_bad_row_is_refused_with_its_reason_and_the_others_are_applied(desk):
    client = client_as(desk, "binh")
    rows = exported(client, **{"in": "kon-tum/anh"})
    for row in rows:
        row["colour"] = "đỏ"  # a column metadata.csv does not know
    rows[0]["date"] = "1975-13-45"  # no EDTF date
    rows[2]["creator"] = "Phòng Văn hoá"
    rows.append({**{k: "" for k in rows[0]}, "file": "in/khong-co.jpg", "title_vi": "Không"})
    answer = preview(client, written(rows))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, html
    refused = re.search(r'id="csv-refused">(.*?)</ul>', html, re.S).group(1)
    assert "metadata.csv row 1: unknown column &#39;colour&#39;; it was ignored" in refused
    assert "metadata.csv row 2: date: " in refused and "1975-13-45" in refused
    assert "metadata.csv row 5: no item&#39;s file is at &#39;in/khong-co.jpg&#39;" in refused
    assert "1 changes to 1 of the 2 items the file names." in html
    assert apply(client, answer).status_code == 303
    with desk["archive"].session() as session:
        photo = items.find(session, desk["ids"]["in/a.jpg"])
        document = items.find(session, desk["ids"]["in/trang"])
        assert (photo.date, document.creator) == ("1975", "Phòng Văn hoá")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'file,title\nin/a.jpg,"never closed\n', "row 2: a quote opened here is never closed"),
        (b"title,date\nA,1975\n", "has no `file` column"),
        ("file,title\nin/a.jpg,Nhà\n".encode("cp1258"), "not UTF-8"),
        (b"file,title\nin/a.jpg,A\x00\n", "holds NUL bytes"),
        (b"", "Choose a metadata.csv file to send."),
    ],
)
def test_a_file_that_cannot_be_read_applies_nothing_and_says_why(desk, body, reason):
    before = title(desk, "in/a.jpg")
    answer = preview(client_as(desk, "binh"), body)
    assert answer.status_code == 400
    assert reason in answer.get_data(as_text=True).replace("&#39;", "'")
    assert title(desk, "in/a.jpg") == before


def test_a_file_far_over_the_limit_is_refused_unread_and_nothing_is_kept(desk):
    uploads = desk["archive"].home / "uploads"
    before = sorted(uploads.iterdir()) if uploads.exists() else []
    body = b"--b\r\n" + b"x" * (25 * 1024 * 1024)  # its length says enough: none of it is read
    answer = client_as(desk, "binh").post(
        "/staff/csv/preview?lang=en", data=body, content_type="multipart/form-data; boundary=b"
    )
    assert answer.status_code == 413
    assert "The file is too large: at most 20 MB." in answer.get_data(as_text=True)
    assert (sorted(uploads.iterdir()) if uploads.exists() else []) == before


def test_a_stale_preview_is_shown_again_and_applies_nothing(desk):
    client = client_as(desk, "binh")
    rows = exported(client, **{"in": "kon-tum/anh"})
    rows[2]["title_vi"] = "Hồ sơ từ bảng tính"
    answer = preview(client, written(rows))
    with desk["archive"].change("item set", by="an") as work:  # someone else, meanwhile
        items.edit(work, desk["ids"]["in/trang"], {"title": "Hồ sơ đã sửa"}, "vi")
    again = apply(client, answer)
    html = again.get_data(as_text=True)
    assert again.status_code == 409
    assert "The items changed after the preview was made." in html
    assert "Hồ sơ đã sửa" in html and title(desk, "in/trang")["vi"] == "Hồ sơ đã sửa"
    assert apply(client, again).status_code == 303  # the new preview applies
    assert title(desk, "in/trang")["vi"] == "Hồ sơ từ bảng tính"
    forged = apply(client, answer)  # an upload name that is none, or a file gone
    assert forged.status_code == 400


@pytest.mark.parametrize("who", [None, "chi", "dung"])
def test_only_those_who_edit_items_may_bring_a_file_back(desk, who):
    client = client_as(desk, who)
    before = title(desk, "in/b.jpg")
    body = written([{"file": "in/b.jpg", "title_vi": "Không được"}])
    token = TOKEN.search(client.get("/staff/login", follow_redirects=True).get_data(as_text=True))
    data = {"csrf_token": token.group(1) if token else "", "sheet": (io.BytesIO(body), "m.csv")}
    answer = client.post("/staff/csv/preview", data=data, content_type="multipart/form-data")
    assert answer.status_code == (401 if who is None else 403)
    form = {"csrf_token": data["csrf_token"], "upload": "0" * 64, "digest": "x"}
    assert client.post("/staff/csv/apply", data=form).status_code == (403 if who else 401)
    assert title(desk, "in/b.jpg") == before
    if who:
        page = client.get("/staff/csv?lang=en").get_data(as_text=True)
        assert "Download metadata.csv" in page and 'id="csv-sheet"' not in page
    with desk["archive"].session() as session:
        units = select(AuditUnit.id).where(AuditUnit.action == "csv update")
        assert not session.scalar(units.where(AuditUnit.by.in_(["chi", "dung"])))
