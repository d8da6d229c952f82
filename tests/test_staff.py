"""The staff workspace through Flask's test client: signing in (one message for every failure,
throttled, a fresh session, cookies scripts cannot read), sessions ended by signing out, idle
time and disabling; CSRF on every form; every route under /staff/ walked as anonymous and as
each role against the one table of permissions; the audit trail and an item's history, with a
field put back and seen at once on the public page and in search; the accounts' pages; and
staff pages kept by no cache, indexed by no search engine, under the public security policy."""

from __future__ import annotations

import itertools
import re
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from markupsafe import escape
from sqlalchemy import select, update

from archive import audit, batch, items, roles, users
from archive.home import Archive
from archive.models import AuditEntry, AuditUnit, StaffSession
from catalogue.app import CSP, create_app
from catalogue.staff import SECRET_FILE
from tests.conftest import Cli, make_image

PASSWORD = "correct horse battery"
PEOPLE = {"an": "admin", "binh": "archivist", "chi": "curator", "dung": "viewer"}
TARGET = "target"  # the account the walk's POSTs act on
EXHIBITION = "lang"  # a published exhibition, the one the walk's exhibition routes act on
RESTRICTED_TITLE = "Biên bản mật MATKHAU-4412"
_ADDRESSES = (f"10.1.{a}.{b}" for a, b in itertools.product(range(256), range(1, 255)))
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _add_people(archive: Archive, people: dict[str, str]) -> None:
    for name, role in people.items():
        with archive.change("user add", by="setup") as work:
            users.add(work, name, role, PASSWORD)


@pytest.fixture(scope="module")
def staff(tmp_path_factory, shared_database) -> dict:
    """An archive of three photos (one restricted), its accounts, and its catalogue app."""
    root = tmp_path_factory.mktemp("staff")
    home = shared_database.prepare(root / "home")
    run = Cli(CliRunner(), home, root)
    assert run("init").exit_code == 0
    photos, hidden = root / "photos", root / "hidden"
    for n, folder in ((0, photos), (1, photos), (2, hidden)):
        make_image(folder / f"anh-{n}.jpg", size=(80, 60), color=(40 * n, 90, 160))
    (photos / "metadata.csv").write_text(
        "file,title,title_en,date\n"
        "anh-0.jpg,Nhà rông làng Kon Klor,The communal house of Kon Klor,1975\n"
        "anh-1.jpg,Chợ phiên Đắk Tô,The Dak To market,1998\n",
        encoding="utf-8",
    )
    (hidden / "metadata.csv").write_text(
        f"file,title\nanh-2.jpg,{RESTRICTED_TITLE}\n", encoding="utf-8"
    )
    ids = {}
    for folder, options in ((photos, []), (hidden, ["--access", "restricted"])):
        result, report = run.ingest(folder, "--collection", "kon-tum/anh", *options)
        assert report is not None, result.output
        for entry in report["inputs"]:
            ids[Path(entry["input"]).name] = entry["item"]
    exhibition = home / "exhibitions" / f"{EXHIBITION}.yaml"
    exhibition.write_text(
        f"id: {EXHIBITION}\nkind: photo\ntitle: {{vi: Làng, en: Villages}}\n"
        "dates: {start: 2024-12-10, end: 2024-12-20}\n"
        f"sections:\n  - title: {{vi: Nhà rông}}\n    items:\n      - item: {ids['anh-0.jpg']}\n",
        encoding="utf-8",
    )
    assert run("exhibition", "publish", exhibition).exit_code == 0
    app = create_app(home)
    _add_people(app.extensions["archive"], {**PEOPLE, TARGET: "viewer"})
    ids["batch"] = _a_batch(app.extensions["archive"], ids["anh-1.jpg"])
    yield {"home": home, "app": app, "ids": ids, "archive": app.extensions["archive"]}
    app.extensions["catalogue.kept"].close()
    app.extensions["search"].close()
    app.extensions["archive"].close()


def _a_batch(archive: Archive, accession_id: str) -> str:
    """A batch edit made, for the routes that show and undo one."""
    with archive.change(batch.ACTION, by="setup") as work:
        batch.apply(work, [accession_id], batch.Operation("set", "Kon Tum", "place"))
    with archive.session() as session:
        return str(session.scalar(select(AuditUnit.id).order_by(AuditUnit.id.desc()).limit(1)))


def client_as(app: Flask, name: str | None = None):
    """A browser of its own address, signed in as `name` (a session made directly: signing in
    through the form is tested on its own)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = next(_ADDRESSES)
    if name:
        archive = app.extensions["archive"]
        with archive.session() as session:
            key = users.open_session(session, users.find(session, name))
        with client.session_transaction("/staff/") as kept:
            kept["staff"] = key
    return client


def token(client) -> str:
    """The CSRF token of the client's session, as every form of the workspace carries it."""
    html = client.get("/staff/login", follow_redirects=True).get_data(as_text=True)
    return TOKEN.search(html).group(1)


def sign_in(client, name: str, password: str, **extra) -> object:
    return client.post(
        "/staff/login",
        data={"username": name, "password": password, "csrf_token": token(client), **extra},
    )


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


# --- signing in ---------------------------------------------------------------------------------


def test_the_sign_in_form_has_the_fields_password_managers_expect(staff):
    html = page(client_as(staff["app"]), "/staff/login")
    assert re.search(
        r'<input id="username" name="username" type="text"[^>]*autocomplete="username"', html
    )
    assert re.search(r'name="password" type="password"[^>]*autocomplete="current-password"', html)
    assert TOKEN.search(html)


def test_a_page_sends_an_anonymous_visitor_to_sign_in_and_back_to_it(staff):
    client = client_as(staff["app"])
    asked = client.get("/staff/audit?by=dung")
    assert asked.status_code == 302
    assert asked.headers["Location"] == "/staff/login?next=/staff/audit?by%3Ddung"
    signed = sign_in(client, "binh", PASSWORD, next="/staff/audit?by=dung")
    assert signed.status_code == 303
    assert signed.headers["Location"] == "/staff/audit?by=dung"
    assert "binh" in page(client, "/staff/")


@pytest.mark.parametrize("target", ["https://example.org/", "//example.org/", "/\\example.org"])
def test_signing_in_never_leads_to_another_site(staff, target):
    signed = sign_in(client_as(staff["app"]), "dung", PASSWORD, next=target)
    assert signed.headers["Location"] == "/staff/"


def test_a_wrong_password_an_unknown_name_and_a_disabled_account_get_one_message(staff):
    archive = staff["archive"]
    _add_people(archive, {"vo": "viewer"})
    with archive.change("user disable", by="setup") as work:
        users.set_disabled(work, "vo", True)
    answers = [
        sign_in(client_as(staff["app"]), name, password)
        for name, password in (("dung", "wrong password"), ("nobody", PASSWORD), ("vo", PASSWORD))
    ]
    assert {answer.status_code for answer in answers} == {200}
    for answer in answers:
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in answer.get_data(as_text=True)
    assert len({answer.get_data(as_text=True).count("form-error") for answer in answers}) == 1


def test_signing_in_makes_a_fresh_session_and_the_earlier_form_token_is_stale(staff):
    client = client_as(staff["app"])
    before = token(client)
    with client.session_transaction("/staff/") as kept:
        kept["staff"] = "a key someone planted"
        planted_csrf = kept["csrf_token"]
    signed = client.post(
        "/staff/login", data={"username": "dung", "password": PASSWORD, "csrf_token": before}
    )
    assert signed.status_code == 303
    with client.session_transaction("/staff/") as kept:
        assert kept["staff"] != "a key someone planted" and len(kept["staff"]) >= 43
        assert kept.get("csrf_token") != planted_csrf
    stale = client.post("/staff/logout", data={"csrf_token": before})
    assert stale.status_code == 400
    assert page(client, "/staff/")  # still signed in: the stale form did nothing
    with client.session_transaction("/staff/") as kept:
        first = kept["staff"]
    assert sign_in(client, "dung", PASSWORD).status_code == 303
    with client.session_transaction("/staff/") as kept:
        assert kept["staff"] != first
    with staff["archive"].session() as session:
        assert users.signed_in(session, first, timedelta(hours=8)) is None  # ended, not left


def test_the_session_cookie_is_http_only_same_site_lax_and_sent_to_the_workspace_alone(staff):
    signed = sign_in(client_as(staff["app"]), "dung", PASSWORD)
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith("tulieu_staff=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/staff" in cookie
    assert "Secure" not in cookie  # base_url is http here: a Secure cookie would never come back


def test_the_cookie_is_secure_when_the_catalogue_is_served_over_https(staff):
    app = create_app(staff["home"], {"base_url": "https://luutru.example.org"})
    try:
        cookie = client_as(app).get("/staff/login").headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie
    finally:
        app.extensions["catalogue.kept"].close()
        app.extensions["search"].close()
        app.extensions["archive"].close()


@pytest.fixture
def fresh(tmp_path, database) -> Flask:
    """An app over an archive of its own with one account: failures counted from nothing."""
    home = database.prepare(tmp_path / "home")
    Archive.create(home).close()
    app = create_app(home)
    _add_people(app.extensions["archive"], {"lan": "viewer"})
    yield app
    app.extensions["catalogue.kept"].close()
    app.extensions["search"].close()
    app.extensions["archive"].close()


def test_the_eleventh_quick_failure_is_refused_even_with_the_right_password(fresh, tmp_path):
    client = client_as(fresh)
    for attempt in range(users.FAILURES):
        failed = sign_in(client, "lan", f"wrong password {attempt}")
        assert failed.status_code == 200
    refused = client.post(
        "/staff/login?lang=en",
        data={"username": "lan", "password": PASSWORD, "csrf_token": token(client)},
    )
    assert refused.status_code == 429
    assert "Too many failed sign-ins. Wait 15 minutes, then try again." in refused.get_data(
        as_text=True
    )
    assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60
    with fresh.extensions["archive"].session() as session:
        assert session.scalar(select(StaffSession.key_hash)) is None
    # another server process over the same home counts the same failures, from any address
    other = create_app(tmp_path / "home")
    try:
        assert sign_in(client_as(other), "lan", PASSWORD).status_code == 429
    finally:
        other.extensions["catalogue.kept"].close()
        other.extensions["search"].close()
        other.extensions["archive"].close()


def test_failures_from_one_address_are_throttled_whatever_the_names(fresh):
    client = client_as(fresh)
    for attempt in range(users.FAILURES):
        assert sign_in(client, f"guess{attempt}", "wrong password").status_code == 200
    assert sign_in(client, "lan", PASSWORD).status_code == 429
    assert sign_in(client_as(fresh), "lan", PASSWORD).status_code == 303  # another address


def test_a_session_idle_longer_than_the_setting_has_ended(staff):
    client = client_as(staff["app"], "dung")
    assert page(client, "/staff/")
    archive = staff["archive"]
    with archive.session() as session:
        user_id = users.find(session, "dung").id
        session.execute(
            update(StaffSession)
            .where(StaffSession.user_id == user_id)
            .values(seen_at=users.utcnow() - timedelta(hours=7, minutes=59))
        )
    assert client.get("/staff/").status_code == 200  # within the 8 hours: still signed in
    with archive.session() as session:
        session.execute(
            update(StaffSession)
            .where(StaffSession.user_id == user_id)
            .values(seen_at=users.utcnow() - timedelta(hours=8, minutes=1))
        )
    ended = client.get("/staff/", follow_redirects=True)
    assert ended.request.path == "/staff/login"
    assert "Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại." in ended.get_data(as_text=True)


def test_signing_out_ends_the_session_on_the_server(staff):
    client = client_as(staff["app"], "dung")
    cookie = client.get_cookie("tulieu_staff", path="/staff").value
    out = client.post("/staff/logout", data={"csrf_token": token(client)})
    assert out.status_code == 303 and out.headers["Location"] == "/staff/login"
    again = client_as(staff["app"])  # the old cookie, kept by someone
    again.set_cookie("tulieu_staff", cookie, path="/staff")
    assert again.get("/staff/").status_code == 302


def test_disabling_a_user_ends_their_sessions_at_once(staff):
    _add_people(staff["archive"], {"kha": "archivist"})
    theirs = client_as(staff["app"], "kha")
    assert page(theirs, "/staff/audit")
    admin = client_as(staff["app"], "an")
    done = admin.post("/staff/users/kha/disable", data={"csrf_token": token(admin)})
    assert done.status_code == 303
    assert theirs.get("/staff/audit").status_code == 302
    assert sign_in(client_as(staff["app"]), "kha", PASSWORD).status_code == 200  # refused


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("given", [None, "not a token", "other session"])
def test_a_post_without_its_sessions_csrf_token_is_refused(staff, given):
    client = client_as(staff["app"], "an")
    if given == "other session":
        given = token(client_as(staff["app"], "an"))
    data = {"role": "viewer"} | ({"csrf_token": given} if given else {})
    refused = client.post(f"/staff/users/{TARGET}/role", data=data)
    assert refused.status_code == 400
    assert "Không đọc được biểu mẫu" in refused.get_data(as_text=True)
    login = client_as(staff["app"]).post(
        "/staff/login", data={"username": "an", "password": PASSWORD} | data
    )
    assert login.status_code == 400


def test_every_form_that_posts_carries_the_csrf_token(staff):
    photo = staff["ids"]["anh-0.jpg"]
    with staff["archive"].change("item set", by="lan") as work:
        items.edit(work, photo, {"creator": "Người chụp"}, "vi")
    client = client_as(staff["app"], "an")
    forms = []
    for address in (
        "/staff/",
        "/staff/audit",
        f"/staff/items/{photo}/history",
        f"/staff/items/{photo}",
        f"/staff/items/{photo}/tags",
        f"/staff/items/{photo}/pages/1/text",
        "/staff/users",
        f"/staff/users/{TARGET}",
        "/staff/csv",
    ):
        html = page(client, address)
        forms += re.findall(r'<form[^>]*method="post".*?</form>', html, flags=re.S)
    assert len(forms) >= 8  # sign out, put back, add, role, disable, password ...
    for form in forms:
        assert TOKEN.search(form), form
    login = page(client_as(staff["app"]), "/staff/login")
    assert TOKEN.search(re.search(r'<form[^>]*method="post".*?</form>', login, re.S).group(0))


# --- every route, every role --------------------------------------------------------------------


def _staff_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(address, method, endpoint) of every route under /staff/, its variables filled."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff"):
            continue
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            found.append((rule.rule, method, rule.endpoint))
    return sorted(found)


def _filled(rule: str, ids: dict) -> str:
    values = {"accession_id": ids["anh-0.jpg"], "name": TARGET, "number": "1", "slug": EXHIBITION}
    if rule.startswith("/staff/collections"):
        values["slug"] = "kon-tum/anh"
    values["partner_id"] = "1"  # the migration's first partner
    values["unit_id"] = ids["batch"]
    values["image"] = "full/max/0/default.jpg"
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule)


def test_every_view_of_the_workspace_names_a_permission_of_the_one_table(staff):
    app = staff["app"]
    routes = _staff_routes(app)
    assert len(routes) >= 12
    for _rule, _method, endpoint in routes:
        view = app.view_functions[endpoint]
        assert hasattr(view, "permission"), f"{endpoint} does not say what it needs"
        assert view.permission is None or view.permission in roles.PERMISSIONS
    public = {e for _, _, e in routes if app.view_functions[e].permission is None}
    assert public == {"staff.login", "staff.login_post", "staff.logout"}
    needs = {e: app.view_functions[e].permission for _, _, e in routes}
    assert needs["staff.revert"] == roles.ITEMS
    assert needs["staff.users"] == needs["staff.user_disable"] == roles.USERS
    assert needs["staff.history"] == needs["staff.audit_trail"] == roles.READ
    assert (
        needs["staff.editor"] == needs["staff.tag_review"] == needs["staff.page_text"] == roles.READ
    )
    assert needs["staff.editor_post"] == roles.ITEMS
    assert needs["staff.tag_review_post"] == roles.TAGS
    assert needs["staff.page_text_post"] == needs["staff.read_again"] == roles.TEXTS
    assert needs["staff.collections_tree"] == needs["staff.collection"] == roles.READ
    for endpoint in ("create", "describe", "rename", "move"):
        assert needs[f"staff.collection_{endpoint}"] == roles.COLLECTIONS
    assert needs["staff.withdrawal_page"] == roles.READ
    assert needs["staff.withdraw"] == needs["staff.restore"] == roles.WITHDRAW
    assert needs["staff.purge"] == roles.PURGE
    assert needs["staff.batch_select"] == needs["staff.batch_made"] == roles.READ
    assert needs["staff.page_image_info"] == needs["staff.page_image"] == roles.READ
    assert needs["staff.csv_page"] == needs["staff.csv_export"] == roles.READ
    assert needs["staff.csv_preview"] == needs["staff.csv_apply"] == roles.ITEMS
    for endpoint in ("preview", "apply", "undo"):
        assert needs[f"staff.batch_{endpoint}"] == roles.ITEMS
    for endpoint in ("report", "report_chart", "report_items"):
        assert needs[f"staff.{endpoint}"] == roles.READ  # the viewer's role: the department


@pytest.mark.parametrize("who", [None, *PEOPLE])
def test_every_route_answers_each_role_as_the_table_says(staff, who):
    app, problems = staff["app"], []
    role = PEOPLE.get(who)
    for rule, method, endpoint in _staff_routes(app):
        address = _filled(rule, staff["ids"])
        permission = app.view_functions[endpoint].permission
        client = client_as(app, who)
        if method == "GET":
            answer = client.get(address)
        else:
            answer = client.post(address, data={"csrf_token": token(client)})
        status = answer.status_code
        answer.close()  # an image is sent from its file, open until the answer is closed
        if permission is None:
            expected = "not 401 or 403"
            ok = status < 500 and status not in (401, 403)
        elif who is None:
            expected = "302 to the sign-in page" if method == "GET" else "401"
            ok = (
                status == 302 and answer.headers["Location"].startswith("/staff/login?next=")
                if method == "GET"
                else status == 401
            )
        elif roles.allowed(role, permission):
            expected = "200" if method == "GET" else "an answer, not 401, 403 or 5xx"
            ok = status == 200 if method == "GET" else status < 500 and status not in (401, 403)
        else:
            expected, ok = "403", status == 403
        if not ok:
            problems.append(
                f"{method} {address} as {role or 'anonymous'}: {status}, not {expected}"
            )
    assert not problems, "\n".join(problems)


def _snapshot(archive: Archive) -> dict[int, tuple]:
    with archive.session() as session:
        rows = session.execute(
            select(AuditEntry, AuditUnit).join(AuditUnit, AuditEntry.unit_id == AuditUnit.id)
        )
        return {
            entry.id: (
                unit.id,
                unit.at,
                unit.by,
                unit.action,
                entry.kind,
                entry.target,
                entry.field,
                entry.before,
                entry.after,
            )
            for entry, unit in rows
        }


def test_no_route_edits_or_deletes_an_audit_entry(staff):
    archive, app = staff["archive"], staff["app"]
    before = _snapshot(archive)
    admin = client_as(app, "an")
    form = {"csrf_token": token(admin)}
    for rule, method, _endpoint in _staff_routes(app):
        address = _filled(rule, staff["ids"])
        if method == "GET":
            admin.get(address).close()
        elif not address.endswith("/logout"):
            data = form | {
                "role": "curator",
                "password": PASSWORD + "2",
                "password_again": PASSWORD + "2",
                "username": "walker",
            }
            data["entry"] = str(max(before))
            assert admin.post(address, data=data).status_code < 500
    after = _snapshot(archive)
    assert len(after) > len(before)  # the walk changed things, each audited
    assert {key: after.get(key) for key in before} == before


# --- what the pages are -------------------------------------------------------------------------

_INLINE = re.compile(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=", re.I)


def test_staff_pages_are_stored_by_no_cache_indexed_by_no_engine_under_the_public_policy(staff):
    client = client_as(staff["app"], "an")
    addresses = [
        _filled(rule, staff["ids"])
        for rule, method, _ in _staff_routes(staff["app"])
        if method == "GET"
    ]
    for address in [*addresses, "/staff/login", "/staff/items/KT-1999-999999/history"]:
        answer = client.get(address)
        assert answer.status_code in (200, 302, 404), address
        assert "no-store" in answer.headers["Cache-Control"], address
        assert "public" not in answer.headers["Cache-Control"], address
        assert answer.headers["X-Robots-Tag"] == "noindex", address
        assert answer.headers["Content-Security-Policy"] == CSP, address
        if answer.mimetype == "text/html":  # not a manifest or a .zip
            assert not _INLINE.search(answer.get_data(as_text=True)), address
        answer.close()  # an image is sent from its file, open until the answer is closed


def _shared_rows(home: Path) -> int:
    with sqlite3.connect(home / "cache" / "pages.sqlite") as database:
        return database.execute("SELECT count(*) FROM kept").fetchone()[0]


def test_staff_pages_never_enter_the_public_page_caches(staff):
    app, ids = staff["app"], staff["ids"]
    kept = app.extensions["catalogue.kept"]
    anonymous = client_as(app)
    anonymous.get(f"/items/{ids['anh-1.jpg']}")  # a public page: kept, here and in the file
    pages, shared = len(kept.pages), _shared_rows(staff["home"])
    client = client_as(app, "an")
    for rule, method, _ in _staff_routes(app):
        if method == "GET":
            client.get(_filled(rule, ids)).close()
    assert (len(kept.pages), _shared_rows(staff["home"])) == (pages, shared)
    anonymous.get(f"/items/{ids['anh-0.jpg']}?lang=en")
    assert len(kept.pages) == pages + 1  # what is counted here does grow with a public page


def test_the_workspace_is_vietnamese_by_default_and_english_on_request(staff):
    client = client_as(staff["app"], "binh")
    vietnamese = page(client, "/staff/")
    assert '<html lang="vi">' in vietnamese and "Tổng quan" in vietnamese
    assert "Lưu trữ viên" in vietnamese
    english = page(client, "/staff/?lang=en")
    assert '<html lang="en">' in english and "Dashboard" in english
    assert "Your role: Archivist." in english
    assert '<html lang="en">' in page(client, "/staff/audit")  # remembered


def test_the_dashboard_says_who_is_signed_in_and_what_their_role_allows(staff):
    viewer = page(client_as(staff["app"], "dung"), "/staff/?lang=en")
    assert "You are signed in as dung. Your role: Viewer." in viewer
    assert "Read every item, restricted ones too" in viewer
    assert "Edit items" not in viewer and 'href="/staff/users"' not in viewer
    admin = page(client_as(staff["app"], "an"), "/staff/?lang=en")
    assert "Manage the accounts of the staff" in admin and 'href="/staff/users"' in admin


def test_the_secret_key_is_made_once_readable_by_its_owner_alone(staff, tmp_path):
    path = staff["home"] / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert staff["app"].secret_key == path.read_text().strip()
    other = create_app(staff["home"])  # another server process: the same key
    try:
        assert other.secret_key == staff["app"].secret_key
        client = client_as(staff["app"], "dung")
        cookie = client.get_cookie("tulieu_staff", path="/staff").value
        elsewhere = other.test_client()
        elsewhere.set_cookie("tulieu_staff", cookie, path="/staff")
        assert elsewhere.get("/staff/").status_code == 200  # its session is known there
    finally:
        other.extensions["catalogue.kept"].close()
        other.extensions["search"].close()
        other.extensions["archive"].close()


# --- the audit trail and an item's history ------------------------------------------------------


def test_the_audit_trail_is_filtered_by_person_action_item_and_day(staff, monkeypatch):
    from catalogue.staff import audit as audit_pages

    client, ids = client_as(staff["app"], "dung"), staff["ids"]
    with staff["archive"].change("item set", by="lan") as work:
        items.edit(work, ids["anh-1.jpg"], {"creator": "Lan Anh"}, "vi")
    by_lan = page(client, "/staff/audit?by=lan")
    assert "<td>Lan Anh</td>" in by_lan and "<td>user add</td>" not in by_lan
    accounts = page(client, "/staff/audit?action=user+add")
    assert "<td>user target</td>" in accounts and "Lan Anh" not in accounts
    one_item = page(client, f"/staff/audit?item={ids['anh-1.jpg']}")
    assert ids["anh-1.jpg"] in one_item and f">{ids['anh-0.jpg']}<" not in one_item
    today = users.utcnow().strftime("%Y-%m-%d")
    assert "Lan Anh" in page(client, f"/staff/audit?since={today}&until={today}")
    assert "Không có thay đổi nào" in page(client, "/staff/audit?until=2000-01-01")
    bad = client.get("/staff/audit?since=31/12/2025")
    assert bad.status_code == 400
    assert 'id="since-error"' in bad.get_data(as_text=True)
    monkeypatch.setattr(audit_pages, "PER_PAGE", 2)
    first = page(client, "/staff/audit?by=setup")
    older = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert older == "/staff/audit?by=setup&page=2"
    second = page(client, older)
    assert 'rel="prev"' in second
    with staff["archive"].session() as session:
        newest = audit.entries(session, by="setup", limit=4)
    assert f"<td>user {newest[1].target}</td>" in first
    assert f"<td>user {newest[2].target}</td>" in second


def test_a_viewer_reads_the_history_of_a_restricted_item(staff):
    hidden = staff["ids"]["anh-2.jpg"]
    with staff["archive"].change("item set", by="lan") as work:
        items.edit(work, hidden, {"date": "1986"}, "vi")
    html = page(client_as(staff["app"], "dung"), f"/staff/items/{hidden}/history")
    assert RESTRICTED_TITLE in html and "<td>1986</td>" in html
    assert 'name="entry"' not in html and "Khôi phục" not in html  # a viewer changes nothing
    archivist = page(client_as(staff["app"], "binh"), f"/staff/items/{hidden}/history")
    assert archivist.count('name="entry"') == 1  # the date: an archivist may put it back


def test_an_unknown_item_has_no_history(staff):
    client = client_as(staff["app"], "binh")
    assert client.get("/staff/items/KT-1999-999999/history").status_code == 404
    gone = client.post(
        "/staff/items/KT-1999-999999/revert", data={"csrf_token": token(client), "entry": "1"}
    )
    assert gone.status_code == 404


def _entry_of(archive: Archive, accession_id: str, field: str) -> audit.Entry:
    with archive.session() as session:
        found = audit.entries(session, target=accession_id)
    return next(entry for entry in found if entry.field == field)


def _search_ids(client, query: str) -> set[str]:
    answer = client.get("/api/search", query_string={"q": query})
    return {hit["id"] for hit in answer.get_json()["items"]}


def test_an_archivist_puts_a_field_back_and_the_public_page_and_search_show_it_at_once(staff):
    archive, photo = staff["archive"], staff["ids"]["anh-0.jpg"]
    visitor = client_as(staff["app"])
    assert "The communal house of Kon Klor" in page(visitor, f"/items/{photo}?lang=en")
    with archive.change("item set", by="lan") as work:
        items.edit(work, photo, {"title_en": "Zebra crossing xyzzy"}, "vi")
    assert "Zebra crossing xyzzy" in page(visitor, f"/items/{photo}")
    assert photo in _search_ids(visitor, "xyzzy")
    entry = _entry_of(archive, photo, "title_en")
    archivist = client_as(staff["app"], "binh")
    history = page(archivist, f"/staff/items/{photo}/history?lang=en")
    assert f'name="entry" value="{entry.id}"' in history
    done = archivist.post(
        f"/staff/items/{photo}/revert", data={"csrf_token": token(archivist), "entry": entry.id}
    )
    assert done.status_code == 303
    assert "Put back: title_en." in page(archivist, done.headers["Location"])
    shown = page(visitor, f"/items/{photo}")
    assert "The communal house of Kon Klor" in shown and "Zebra" not in shown
    assert photo not in _search_ids(visitor, "xyzzy")
    assert photo in _search_ids(visitor, "communal house")
    reverted = _entry_of(archive, photo, "title_en")
    assert (reverted.by, reverted.action) == ("binh", "revert")
    assert (reverted.before, reverted.after) == ("Zebra crossing xyzzy", entry.before)
    again = page(archivist, f"/staff/items/{photo}/history")
    assert f'name="entry" value="{entry.id}"' not in again  # already as it was before


@pytest.mark.parametrize("who", ["dung", "chi"])
def test_a_viewer_or_a_curator_cannot_put_a_field_back(staff, who):
    archive, photo = staff["archive"], staff["ids"]["anh-1.jpg"]
    with archive.change("item set", by="lan") as work:
        items.edit(work, photo, {"place": f"Kon Plông {who}"}, "vi")
    entry = _entry_of(archive, photo, "place")
    client = client_as(staff["app"], who)
    refused = client.post(
        f"/staff/items/{photo}/revert", data={"csrf_token": token(client), "entry": entry.id}
    )
    assert refused.status_code == 403
    assert _entry_of(archive, photo, "place") == entry  # nothing changed


def test_a_change_that_cannot_be_put_back_is_refused_with_the_reason(staff):
    archive, ids = staff["archive"], staff["ids"]
    photo, other = ids["anh-1.jpg"], ids["anh-0.jpg"]
    created = _entry_of(archive, photo, "created")
    with archive.change("item set", by="lan") as work:
        items.edit(work, other, {"creator": "Someone else"}, "vi")
    elsewhere = _entry_of(archive, other, "creator")
    client = client_as(staff["app"], "binh")
    for entry in (created.id, elsewhere.id, "first", ""):
        refused = client.post(
            f"/staff/items/{photo}/revert", data={"csrf_token": token(client), "entry": entry}
        )
        assert refused.status_code == 400, entry
        assert "Không thể khôi phục thay đổi này" in refused.get_data(as_text=True)


def test_putting_back_what_the_item_cannot_take_is_refused_in_the_clis_words(staff):
    archive, photo = staff["archive"], staff["ids"]["anh-1.jpg"]
    with archive.change("item set", by="lan") as work:
        items.edit(work, photo, {"title_fr": "Le marché"}, "vi")
    with archive.change("item set", by="lan") as work:
        items.edit(work, photo, {"title_vi": "", "title_en": ""}, "vi")
    added = _entry_of(archive, photo, "title_fr")  # before it: none; putting that back clears it
    client = client_as(staff["app"], "binh")
    refused = client.post(
        f"/staff/items/{photo}/revert", data={"csrf_token": token(client), "entry": added.id}
    )
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert 'lang="en">an item keeps a title' in html
    with archive.session() as session:
        assert items.find(session, photo).title == {"fr": "Le marché"}


# --- accounts -----------------------------------------------------------------------------------


def test_an_administrator_adds_an_account_that_signs_in_and_is_audited(staff):
    admin = client_as(staff["app"], "an")
    added = admin.post(
        "/staff/users",
        data={
            "csrf_token": token(admin),
            "username": "Giang",
            "role": "curator",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert added.status_code == 303
    listed = page(admin, "/staff/users")
    assert "Đã thêm tài khoản giang." in listed and 'href="/staff/users/giang"' in listed
    assert sign_in(client_as(staff["app"]), "giang", PASSWORD).status_code == 303
    entry = _entry_of(staff["archive"], "giang", "created")
    assert (entry.by, entry.action, entry.kind, entry.after) == (
        "an",
        "user add",
        "user",
        {"role": "curator"},
    )


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"username": "giang anh"}, "username", "no spaces"),
        ({"username": "an"}, "username", "user 'an' exists already"),
        ({"password": "short", "password_again": "short"}, "password", "at least 10"),
        ({"password_again": PASSWORD + "!"}, "password_again", "Hai mật khẩu không giống nhau."),
        ({"role": "owner"}, "role", "Hãy chọn một vai trò."),
    ],
)
def test_a_bad_new_account_is_refused_with_the_reason_beside_its_field(staff, form, field, message):
    admin = client_as(staff["app"], "an")
    data = {
        "username": "new-one",
        "role": "viewer",
        "password": PASSWORD,
        "password_again": PASSWORD,
    } | form
    refused = admin.post("/staff/users", data={"csrf_token": token(admin)} | data)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert re.search(
        rf'<p class="form-error" id="{field}-error"[^>]*>[^<]*{re.escape(escape(message))}', html
    )
    assert re.search(rf'aria-describedby="[^"]*{field}-error', html)
    with staff["archive"].session() as session:
        assert "new-one" not in {u.name for u in users.listing(session)}


def test_an_administrator_changes_a_role_and_a_password_and_enables_again(staff):
    _add_people(staff["archive"], {"hoa": "viewer"})
    admin = client_as(staff["app"], "an")
    form = {"csrf_token": token(admin)}
    assert admin.post("/staff/users/hoa/role", data=form | {"role": "archivist"}).status_code == 303
    theirs = client_as(staff["app"], "hoa")
    assert page(theirs, "/staff/?lang=en").count("Archivist") >= 1
    new = PASSWORD + " new"
    changed = admin.post(
        "/staff/users/hoa/password", data=form | {"password": new, "password_again": new}
    )
    assert changed.status_code == 303
    assert theirs.get("/staff/").status_code == 302  # their sessions ended
    assert sign_in(client_as(staff["app"]), "hoa", PASSWORD).status_code == 200
    assert sign_in(client_as(staff["app"]), "hoa", new).status_code == 303
    assert admin.post("/staff/users/hoa/disable", data=form).status_code == 303
    assert "Đã khóa" in page(admin, "/staff/users/hoa")
    assert admin.post("/staff/users/hoa/enable", data=form).status_code == 303
    assert sign_in(client_as(staff["app"]), "hoa", new).status_code == 303
    with staff["archive"].session() as session:
        actions = [e.action for e in audit.entries(session, target="hoa")]
    assert actions[:4] == ["user enable", "user disable", "user reset-password", "user role"]


def test_an_administrator_cannot_disable_themselves_or_change_their_own_role(staff):
    admin = client_as(staff["app"], "an")
    form = {"csrf_token": token(admin)}
    assert admin.post("/staff/users/an/disable", data=form).status_code == 403
    assert admin.post("/staff/users/an/role", data=form | {"role": "viewer"}).status_code == 403
    assert page(admin, "/staff/users")  # still an administrator, signed in


def test_an_unknown_account_is_not_found(staff):
    admin = client_as(staff["app"], "an")
    form = {"csrf_token": token(admin)}
    assert admin.get("/staff/users/nobody").status_code == 404
    assert admin.post("/staff/users/nobody/disable", data=form).status_code == 404
    assert admin.post("/staff/users/nobody/role", data=form | {"role": "viewer"}).status_code == 404
