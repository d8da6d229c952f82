"""OAI-PMH 2.0 at /oai: every response valid against the official schemas, the six verbs and
every error the protocol defines, sets, `from`/`until`, resumption tokens that expire, and the
public-only rules: a withdrawn or restricted item reported deleted without its metadata, a
restricted item that was never public never named."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from archive import items
from archive.home import Archive
from catalogue.app import create_app
from tests.conftest import wait_for
from tests.oai_support import make_items, schema

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA = schema()
PREFIX = "oai:localhost:"


@pytest.fixture
def oai(home):
    """(archive, client, ids): public items in two collections, a convention's item, a
    restricted item never public."""
    archive = Archive.open(home)
    ids = {
        "public": make_items(archive, 3, collection="kon-tum/anh"),
        "other": make_items(archive, 2, collection="dak-to"),
        "crc": make_items(archive, 1, title="Công ước về Quyền trẻ em {n}"),
        "hidden": make_items(archive, 1, access="restricted", title="BIMAT {n}"),
    }
    app = create_app(home)
    app.testing = True
    yield archive, app, ids
    app.extensions["search"].close()
    app.extensions["archive"].close()
    archive.close()


def ask(app, **arguments) -> etree._Element:
    """A response, checked against the OAI-PMH and oai_dc schemas."""
    response = app.test_client().get("/oai", query_string=arguments)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = etree.fromstring(response.get_data())
    SCHEMA.assertValid(root)
    return root


def error(root) -> str | None:
    found = root.find(f"{OAI}error")
    return None if found is None else found.get("code")


def identifiers(root) -> list[str]:
    return [h.findtext(f"{OAI}identifier") for h in root.iter(f"{OAI}header")]


def test_identify_says_deletions_persist_and_the_granularity_is_seconds(oai):
    _, app, _ = oai
    identify = ask(app, verb="Identify").find(f"{OAI}Identify")
    assert identify.findtext(f"{OAI}baseURL") == "http://localhost:8000/oai"
    assert identify.findtext(f"{OAI}deletedRecord") == "persistent"
    assert identify.findtext(f"{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext(f"{OAI}adminEmail") == "archivist@example.org"
    earliest = identify.findtext(f"{OAI}earliestDatestamp")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", earliest)


def test_a_record_gives_every_language_and_the_item_s_addresses(oai):
    _, app, ids = oai
    crc = ids["crc"][0]
    root = ask(app, verb="GetRecord", identifier=PREFIX + crc, metadataPrefix="oai_dc")
    dc = root.find(f".//{OAI}metadata")[0]
    titles = {t.get(XML_LANG): t.text for t in dc.iter(f"{DC}title")}
    assert titles == {"vi": "Công ước về Quyền trẻ em 0", "en": "Photo 0"}
    subjects = {(s.get(XML_LANG), s.text) for s in dc.iter(f"{DC}subject")}
    assert (None, "nhà rông") in subjects
    assert ("en", "Convention on the Rights of the Child") in subjects  # the tag's labels
    values = lambda name: [e.text for e in dc.iter(f"{DC}{name}")]  # noqa: E731
    assert f"http://localhost:8000/items/{crc}" in values("identifier")
    assert f"http://localhost:8000/iiif/items/{crc}/manifest.json" in values("relation")
    assert values("type") == ["StillImage"] and values("language") == ["vie"]
    assert values("date") == ["1975"]
    assert values("rights") == ["http://rightsstatements.org/vocab/InC/1.0/"]
    header = root.find(f".//{OAI}header")
    assert "convention:CRC" in [s.text for s in header.iter(f"{OAI}setSpec")]


def test_each_error_of_the_protocol_answers_the_request_that_calls_for_it(oai):
    _, app, ids = oai
    record = {"verb": "GetRecord", "metadataPrefix": "oai_dc"}
    cases = [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": "Identify", "set": "x"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),  # no metadataPrefix
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-01-01",
             "until": "2024-02-01T00:00:00Z"},
            "badArgument",
        ),  # two granularities
        (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-02-01",
             "until": "2024-01-01"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
         "badArgument"),
        ({"verb": "GetRecord", "identifier": PREFIX + ids["public"][0]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({**record, "metadataPrefix": "mods", "identifier": PREFIX + ids["public"][0]},
         "cannotDisseminateFormat"),
        ({**record, "identifier": PREFIX + "KT-1900-000001"}, "idDoesNotExist"),
        ({**record, "identifier": "oai:elsewhere:" + ids["public"][0]}, "idDoesNotExist"),
        ({"verb": "ListMetadataFormats", "identifier": "nonsense"}, "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "collection:nowhere"},
         "noRecordsMatch"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
         "noRecordsMatch"),
        ({"verb": "ListRecords", "resumptionToken": "altered"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "any"}, "badResumptionToken"),
    ]  # fmt: skip
    for arguments, code in cases:
        root = ask(app, **arguments)
        assert error(root) == code, arguments
        echoed = root.find(f"{OAI}request").attrib
        assert (echoed == {}) == (code in ("badVerb", "badArgument")), arguments
    repeated = app.test_client().get("/oai?verb=Identify&verb=Identify")
    assert error(etree.fromstring(repeated.get_data())) == "badVerb"
    twice = app.test_client().get("/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=x")
    assert error(etree.fromstring(twice.get_data())) == "badArgument"


def test_a_restricted_item_never_public_is_named_in_no_response(oai):
    _, app, ids = oai
    hidden = ids["hidden"][0]
    requests = [
        {"verb": "Identify"},
        {"verb": "ListSets"},
        {"verb": "ListMetadataFormats"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "collection"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": PREFIX + hidden},
        {"verb": "ListMetadataFormats", "identifier": PREFIX + hidden},
    ]
    for arguments in requests:
        body = etree.tostring(ask(app, **arguments), encoding="unicode")
        assert hidden not in body.split("<request")[0] + body.split("</request>")[-1]
        assert "BIMAT" not in body
    every = identifiers(ask(app, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert sorted(every) == sorted(PREFIX + i for k in ("public", "other", "crc") for i in ids[k])


def test_sets_follow_the_collection_tree_the_exhibitions_and_the_conventions(oai):
    _, app, ids = oai
    sets = {s.findtext(f"{OAI}setSpec") for s in ask(app, verb="ListSets").iter(f"{OAI}set")}
    assert {"collection", "collection:kon-tum", "collection:kon-tum:anh"} <= sets
    assert {"collection:dak-to", "exhibition", "convention", "convention:CRC"} <= sets
    in_set = lambda spec: sorted(  # noqa: E731
        identifiers(ask(app, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec))
    )
    assert in_set("collection:kon-tum") == sorted(PREFIX + i for i in ids["public"])
    assert in_set("collection:kon-tum:anh") == in_set("collection:kon-tum")
    assert in_set("convention:CRC") == [PREFIX + ids["crc"][0]]
    assert len(in_set("collection")) == 5


def test_incremental_harvests_see_edits_and_restrictions_as_deletions(oai):
    archive, app, ids = oai
    first, second = ids["public"][0], ids["public"][1]
    before = ask(app, verb="ListRecords", metadataPrefix="oai_dc")
    stamps = [h.findtext(f"{OAI}datestamp") for h in before.iter(f"{OAI}header")]
    last = max(stamps)
    # a harvest `from` the next second sees only what changed after it
    since = datetime.strptime(last, "%Y-%m-%dT%H:%M:%SZ") + timedelta(seconds=1)
    wait_for(lambda: datetime.now(UTC).replace(tzinfo=None) >= since, "the next second")
    with archive.change("item set", by="tester") as work:
        items.edit(work, first, {"title_en": "The communal house"}, "vi")
    with archive.change("item set", by="tester") as work:
        items.edit(work, second, {"access": "restricted"}, "vi")
    stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    later = ask(app, verb="ListRecords", metadataPrefix="oai_dc", **{"from": stamp})
    records = {r.findtext(f".//{OAI}identifier"): r for r in later.iter(f"{OAI}record")}
    assert set(records) == {PREFIX + first, PREFIX + second}
    edited = records[PREFIX + first]
    assert "The communal house" in [t.text for t in edited.iter(f"{DC}title")]
    restricted = records[PREFIX + second]
    assert restricted.find(f"{OAI}header").get("status") == "deleted"
    assert restricted.find(f"{OAI}metadata") is None  # no metadata of a deleted record
    assert "Photo 1" not in etree.tostring(later, encoding="unicode")
    # until the second before the changes: none of them
    until = (since - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    earlier = ask(app, verb="ListIdentifiers", metadataPrefix="oai_dc", until=until)
    # a record's datestamp is its last change: the two changed ones are past this window
    assert sorted(identifiers(earlier)) == sorted(
        PREFIX + i for i in [ids["public"][2], *ids["other"], *ids["crc"]]
    )
    # GetRecord and a set's harvest say deleted too
    got = ask(app, verb="GetRecord", metadataPrefix="oai_dc", identifier=PREFIX + second)
    assert got.find(f".//{OAI}header").get("status") == "deleted"
    in_set = ask(app, verb="ListIdentifiers", metadataPrefix="oai_dc", set="collection:kon-tum")
    deleted = [h for h in in_set.iter(f"{OAI}header") if h.get("status") == "deleted"]
    assert [h.findtext(f"{OAI}identifier") for h in deleted] == [PREFIX + second]
    # made public again: a record again
    with archive.change("item set", by="tester") as work:
        items.edit(work, second, {"access": "public"}, "vi")
    again = ask(app, verb="GetRecord", metadataPrefix="oai_dc", identifier=PREFIX + second)
    assert again.find(f".//{OAI}header").get("status") is None


def test_resumption_tokens_page_the_list_and_expire(home, monkeypatch):
    from catalogue import oai as oai_view

    monkeypatch.setattr(oai_view, "PAGE_IDENTIFIERS", 4)
    archive = Archive.open(home)
    made = make_items(archive, 10)
    app = create_app(home)
    app.config["OAI_TOKEN_SECONDS"] = 2
    try:
        root = ask(app, verb="ListIdentifiers", metadataPrefix="oai_dc")
        seen, cursors = identifiers(root), []
        token = root.find(f".//{OAI}resumptionToken")
        first = token.text
        while token is not None and token.text:
            cursors.append((token.get("cursor"), token.get("completeListSize")))
            assert token.get("expirationDate")
            root = ask(app, verb="ListIdentifiers", resumptionToken=token.text)
            seen += identifiers(root)
            token = root.find(f".//{OAI}resumptionToken")
        cursors.append((token.get("cursor"), token.get("completeListSize")))
        assert seen == [PREFIX + i for i in made]
        assert cursors == [("0", "10"), ("4", "10"), ("8", "10")]
        # a token is for its verb, and only while it is fresh
        assert error(ask(app, verb="ListRecords", resumptionToken=first)) == "badResumptionToken"
        wait_for(
            lambda: (
                error(ask(app, verb="ListIdentifiers", resumptionToken=first))
                == "badResumptionToken"
            ),
            "the token to expire",
            timeout=10,
        )
    finally:
        app.extensions["search"].close()
        app.extensions["archive"].close()
        archive.close()


@pytest.mark.slow
def test_a_harvester_takes_the_whole_archive_of_a_thousand_items_through_tokens(home):
    """Sickle, as aggregators run it, against `archive serve`: every public item once, with
    its title; the items made restricted as deleted records; the restricted never named."""
    from sickle import Sickle

    from tests.test_catalogue_server import served

    archive = Archive.open(home)
    public = make_items(archive, 950, collection="kon-tum/anh")
    hidden = make_items(archive, 50, access="restricted", title="BIMAT {n}")
    with archive.change("item set", by="tester") as work:
        for accession_id in public[:30]:
            items.edit(work, accession_id, {"access": "restricted"}, "vi")
    archive.close()
    with served(home) as (address, _):
        harvester = Sickle(f"{address}/oai", max_retries=0, timeout=60)
        records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
        sets = {s.setSpec for s in harvester.ListSets()}
    live = [r for r in records if not r.deleted]
    assert sorted(r.header.identifier for r in live) == sorted(PREFIX + i for i in public[30:])
    assert all(r.metadata["title"] for r in live)
    deleted = sorted(r.header.identifier for r in records if r.deleted)
    assert deleted == sorted(PREFIX + i for i in public[:30])
    assert not {PREFIX + i for i in hidden} & {r.header.identifier for r in records}
    assert "collection:kon-tum:anh" in sets


def test_a_withdrawn_item_is_reported_deleted(oai):
    """Withdrawal, however a service makes it, is a unit of work's `removed`."""
    archive, app, ids = oai
    gone = ids["other"][0]
    with archive.change("withdraw", by="tester") as work:
        work.removed(gone)
    root = ask(app, verb="GetRecord", metadataPrefix="oai_dc", identifier=PREFIX + gone)
    assert root.find(f".//{OAI}header").get("status") == "deleted"
    assert root.find(f".//{OAI}metadata") is None
