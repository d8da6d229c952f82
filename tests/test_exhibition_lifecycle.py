"""An exhibition is a draft until published: only what `archive exhibition publish` checked and
kept reaches the catalogue, its Collections and the sitemap; a published one whose file breaks
stays as published, and the file's problems are listed."""

from __future__ import annotations

import json

import pytest

from tests import test_exhibitions
from tests.test_exhibitions import definition

SLUG = "quyen-con-nguoi-2024"
exhibited = test_exhibitions.exhibited  # the fixture: an archive with photos and a document


@pytest.fixture
def public(home):
    """A test client of the catalogue of `home`, made when asked (after the archive is filled)."""
    from catalogue.app import create_app

    apps = []

    def client():
        app = create_app(home)
        app.testing = True
        apps.append(app)
        return app.test_client()

    yield client
    for app in apps:
        app.extensions["search"].close()
        app.extensions["archive"].close()


def seen(client) -> dict[str, bool]:
    """Where the public finds the exhibition."""
    collection = client.get("/iiif/collections/exhibitions.json").get_json()
    return {
        "list": SLUG in client.get("/exhibitions").get_data(as_text=True),
        "page": client.get(f"/exhibitions/{SLUG}").status_code == 200,
        "manifest": client.get(f"/iiif/exhibitions/{SLUG}/manifest.json").status_code == 200,
        "collection": SLUG in json.dumps(collection),
        "sitemap": SLUG in client.get("/sitemap.xml").get_data(as_text=True),
    }


def test_a_file_put_into_exhibitions_is_a_draft_until_published(run, exhibited, home, public):
    path = definition(home / "exhibitions" / f"{SLUG}.yaml", exhibited)
    assert set(seen(public()).values()) == {False}
    listed = run("exhibition", "list")
    assert f"{SLUG}\tdraft\t{SLUG}.yaml" in listed.output, listed.output

    result = run("exhibition", "publish", path)
    assert result.exit_code == 0, result.output
    assert f"published {SLUG}" in result.output
    assert (home / "iiif" / "exhibitions" / SLUG / "manifest.json").exists()
    assert set(seen(public()).values()) == {True}
    assert f"{SLUG}\tpublished (closed)\t" in run("exhibition", "list").output
    audit = json.loads(run("audit", "--json").output)
    assert any(e["kind"] == "exhibition" and e["target"] == SLUG for e in audit)


def test_a_definition_with_a_restricted_item_is_never_published(run, exhibited, home, public):
    path = definition(
        home / "exhibitions" / "e.yaml",
        exhibited,
        **{f"- item: {exhibited['photos'][0]}": f"- item: {exhibited['restricted']}"},
    )
    result = run("exhibition", "publish", path)
    assert result.exit_code == 1
    assert exhibited["restricted"] in result.output and "1 problem in" in result.output
    assert set(seen(public()).values()) == {False}


def test_a_published_exhibition_broken_since_stays_as_published(run, exhibited, home, public):
    path = definition(home / "exhibitions" / f"{SLUG}.yaml", exhibited)
    assert run("exhibition", "publish", path).exit_code == 0
    broken = (
        path.read_text("utf-8")
        .replace("Quyền con người ở Kon Tum", "Mới")
        .replace("kind: photo", "kind: 'photo")
    )
    path.write_text(broken, "utf-8")

    client = public()
    page = client.get(f"/exhibitions/{SLUG}").get_data(as_text=True)
    assert "Quyền con người ở Kon Tum" in page and "Mới" not in page
    listed = run("exhibition", "list").output
    assert "published (closed), changed since published" in listed
    assert f"{SLUG}.yaml:2:" in listed, listed  # the file's syntax error, with its line
    refused = run("exhibition", "publish", path)
    assert refused.exit_code == 1 and "not published" in refused.output
    assert "Quyền con người ở Kon Tum" in client.get(f"/exhibitions/{SLUG}").get_data(as_text=True)


def test_a_file_with_a_syntax_error_is_listed_with_its_problem(run, home):
    (home / "exhibitions" / "hong.yaml").write_text("id: hong\ntitle: {vi: 'x'\n", "utf-8")
    listed = run("exhibition", "list")
    assert "hong\tdraft\thong.yaml" in listed.output
    assert "hong.yaml:" in listed.output.split("hong\tdraft")[1], listed.output


def test_an_archived_exhibition_leaves_the_public_site(run, exhibited, home, public):
    path = definition(home / "exhibitions" / f"{SLUG}.yaml", exhibited)
    assert run("exhibition", "publish", path).exit_code == 0
    assert run("exhibition", "archive", SLUG).exit_code == 0
    assert set(seen(public()).values()) == {False}
    assert f"{SLUG}\tarchived\t" in run("exhibition", "list").output
    assert run("exhibition", "archive", SLUG, "--undo").exit_code == 0
    assert seen(public())["page"]


def test_a_file_published_from_elsewhere_is_copied_into_the_home(run, exhibited, home, tmp_path):
    path = definition(tmp_path / "mine.yaml", exhibited)
    assert run("exhibition", "publish", path).exit_code == 0
    assert (home / "exhibitions" / f"{SLUG}.yaml").read_text("utf-8") == path.read_text("utf-8")


def test_new_writes_a_commented_template_that_check_reads(run, home):
    result = run("exhibition", "new", "ky-niem-2025")
    assert result.exit_code == 0, result.output
    path = home / "exhibitions" / "ky-niem-2025.yaml"
    text = path.read_text("utf-8")
    assert text.startswith("# ") and "id: ky-niem-2025" in text
    checked = run("exhibition", "check", path)
    # Only its example item is wrong, and the count is in the singular.
    assert checked.exit_code == 1
    assert "KT-2024-000001 is not in the archive" in checked.output
    assert f"1 problem in {path}" in checked.output
    assert run("exhibition", "new", "ky-niem-2025").exit_code == 2  # never over a file
    assert run("exhibition", "new", "Kỷ niệm").exit_code == 2


def test_check_reports_structural_and_item_problems_in_one_run(run, exhibited, tmp_path):
    path = definition(
        tmp_path / "e.yaml",
        exhibited,
        **{
            "id: quyen-con-nguoi-2024\n": "",
            f"- item: {exhibited['photos'][0]}": f"- item: {exhibited['restricted']}",
        },
    )
    result = run("exhibition", "check", path)
    assert result.exit_code == 1
    assert "id" in result.output and exhibited["restricted"] in result.output, result.output
    assert f"2 problems in {path}" in result.output
