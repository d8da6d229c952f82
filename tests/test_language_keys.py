"""The keys of a language map (`title: {en: …}`, `title_en`) are language codes, checked where a
description comes in, with the code that was meant; one that got in before (an older archive)
never makes a manifest fail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.errors import InvalidInput
from archive.fields import describe
from archive.home import Archive
from archive.models import Item
from iiif import conformance
from tests.conftest import make_image, outcomes


@pytest.mark.parametrize("key", ["vi", "en", "bdq", "en-GB", "zh-Hant", "zh-Hant-TW"])
def test_a_language_code_is_taken_as_a_key_and_as_a_suffix(key):
    assert describe({"title": {key: "Biên bản"}}, "vi").fields["title"] == {key: "Biên bản"}
    assert describe({f"description_{key}": "Mô tả"}, "vi").fields["description"] == {key: "Mô tả"}


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("en_US", "en-US"),
        ("EN", "en"),
        ("en-gb", "en-GB"),
        ("tiếng Anh", "en"),
        ("Vietnamese", "vi"),
        ("e1", None),
        ("english language", None),
    ],
)
def test_a_key_that_is_no_language_code_is_refused_with_the_code_meant(key, meant):
    hint = f"; did you mean '{meant}'?" if meant else ""
    for values in ({"title": {key: "Biên bản"}}, {f"title_{key}": "Biên bản"}):
        with pytest.raises(InvalidInput) as refused:
            describe(values, "vi")
        assert f"{key!r} is not a language code" in str(refused.value)
        assert str(refused.value).endswith(f"en-GB){hint}")


def test_a_sidecar_with_a_bad_language_key_fails_the_files_it_describes(run, tmp_path):
    folder = tmp_path / "in" / "bien-ban"
    make_image(folder / "page-1.png", color=200)
    (folder / "item.yaml").write_text("title: {vi: Biên bản, en_US: Minutes}\n", encoding="utf-8")
    make_image(tmp_path / "in" / "anh.jpg")
    (tmp_path / "in" / "metadata.csv").write_text(
        "file,title,title_tiếng Anh\nanh.jpg,Ảnh,Photo\n", encoding="utf-8"
    )
    result, report = run.ingest(tmp_path / "in")
    assert result.exit_code == 1
    found = outcomes(report)
    assert found["bien-ban"]["outcome"] == "failed"
    assert "did you mean 'en-US'?" in found["bien-ban"]["reason"]
    assert found["anh.jpg"]["outcome"] == "failed"
    assert "row 2: title_tiếng Anh:" in found["anh.jpg"]["reason"]
    assert "did you mean 'en'?" in found["anh.jpg"]["reason"]


def test_a_bad_key_already_in_the_database_never_makes_a_manifest_fail(run, home, tmp_path):
    from catalogue.app import create_app

    make_image(tmp_path / "in" / "anh.jpg", size=(300, 200))
    _, report = run.ingest(tmp_path / "in")
    accession = report["inputs"][0]["item"]
    archive = Archive.open(home)
    with archive.session() as session:  # as an archive written before keys were checked holds
        item = session.scalar(select(Item).where(Item.accession_id == accession))
        item.title = {"en_US": "Photo", "vi": "Ảnh", "tiếng Anh": "A photo"}
        item.description = {"en_US": "Taken in 1995"}
        item.rights_note = "© 1995"
    archive.close()
    app = create_app(home)
    try:
        response = app.test_client().get(f"/iiif/items/{accession}/manifest.json")
    finally:
        app.extensions["search"].close()
        app.extensions["archive"].close()
    assert response.status_code == 200
    manifest = response.get_json(force=True)
    assert conformance.problems(manifest) == []
    assert manifest["label"] == {"vi": ["Ảnh"], "en-US": ["Photo"], "none": ["A photo"]}
    assert manifest["summary"] == {"en-US": ["Taken in 1995"]}
    notes = [m["value"] for m in manifest["metadata"] if m["label"]["en"] == ["Rights note"]]
    assert notes == [{"en-US": ["© 1995"]}]  # in the title's first language
