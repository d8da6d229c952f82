"""The table of item fields (`archive.fields.FIELDS`) is the one list: the records, the models,
the columns people write, the JSON API's document and the orders it offers agree with it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect

from archive import fields, indexing, items, orders
from archive.fields import BY_NAME, FIELDS, InvalidInput, describe
from archive.models import Item
from archive.records import NewItem
from tests.test_catalogue_api import DOCUMENT


def test_every_field_is_a_column_of_an_item_and_an_attribute_of_a_new_one():
    columns = {column.key for column in inspect(Item).column_attrs}
    new = {f.name for f in dataclasses.fields(NewItem)}
    assert {f.attribute for f in FIELDS} <= columns
    assert {f.attribute for f in FIELDS} <= new
    # and a new item says nothing else of itself than the table's fields, its files and its place
    assert new - {f.attribute for f in FIELDS} == {
        "content_hash",
        "files",
        "technical",
        "collection",
    }


def test_the_names_are_unique_and_by_name_finds_each():
    assert len(BY_NAME) == len(FIELDS)
    assert len({f.attribute for f in FIELDS}) == len(FIELDS)
    assert all(BY_NAME[f.name] is f for f in FIELDS)


def test_every_field_has_a_label_in_vietnamese_and_english():
    assert all(set(f.label) == {"vi", "en"} and all(f.label.values()) for f in FIELDS)


def test_the_columns_people_write_are_the_fields_that_have_columns():
    assert fields.LANGUAGE_MAPPED == ("title", "description")
    assert set(fields.SINGLE) | set(fields.MULTI) | set(fields.LANGUAGE_MAPPED) == {
        f.name for f in FIELDS if f.columns
    }
    assert not fields.is_known_column("rights_note")  # taken from the file, never written


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("access", "secret", "access: 'secret' must be public or restricted"),
        ("type", "film", "type: 'film' must be photo or document"),
        ("date", "soon", "date: "),
        ("latitude", "north", "latitude: 'north' is not a number"),
        ("rights", "mine", "rights: 'mine' is not a RightsStatements.org"),
    ],
)
def test_each_kind_of_field_is_checked_by_its_kind(name, value, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        describe({name: value} | ({"longitude": "1"} if name == "latitude" else {}), "vi")


def test_the_fields_that_are_required_cannot_be_cleared():
    assert items.REQUIRED == ("type", "rights", "access")


def test_the_index_holds_the_fields_the_table_says_it_holds():
    held = {f.attribute for f in FIELDS if f.index and f.kind != fields.DATE}
    assert set(indexing.HELD) == held
    assert {"latitude", "rights", "rights_note"}.isdisjoint(held)


def test_the_apis_record_lists_every_field_the_table_says_it_gives():
    record = DOCUMENT["components"]["schemas"]["Record"]
    given = {f.attribute for f in FIELDS if f.api}
    given |= {"year_start", "year_end"}  # a date is given with its years
    assert given <= set(record["required"])
    assert given <= set(record["properties"])
    withheld = {f.attribute for f in FIELDS if not f.api}
    assert withheld.isdisjoint(record["properties"])


def test_the_api_offers_the_orders_named_once():
    parameters = DOCUMENT["paths"]["/api/search"]["get"]["parameters"]
    sort = next(p for p in parameters if p.get("name") == "sort")
    assert tuple(sort["schema"]["enum"]) == orders.PUBLIC_SEARCH
    assert sort["schema"]["default"] == orders.FIRST
    assert set(orders.PUBLIC_SEARCH) <= set(orders.SEARCH)


def test_the_readme_documents_every_column_people_write():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("Columns are Dublin Core names:")[1].split("\n\n")[1]
    documented = set(re.findall(r"`([a-z_]+)`", table))
    assert {f.name for f in FIELDS if f.columns} <= documented


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_catalogue_translates_the_labels_of_the_fields_it_shows_as_the_table_does(lang):
    from babel.messages.pofile import read_po

    from catalogue.pages.labels import FIELD_LABELS

    shown = [f for f in FIELDS if f.page]
    assert set(FIELD_LABELS) == {f.label["en"] for f in shown}
    po = Path(__file__).parent.parent / f"catalogue/translations/{lang}/LC_MESSAGES/messages.po"
    with open(po, "rb") as file:
        catalogue = {message.id: message.string for message in read_po(file, locale=lang)}
    assert {f.name: catalogue[f.label["en"]] for f in shown} == {
        f.name: f.label[lang] for f in shown
    }
