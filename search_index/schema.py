"""The index's schema, and how an archive document becomes one Whoosh document.

One Whoosh document per item. Its text is indexed in three groups — `title`, `meta` (description,
creator, place, subjects, and the labels of its tags in every language) and `pages` (the OCR text
of every page, in order) — each twice: `_exact` (diacritics kept) and `_folded`; English titles,
descriptions and labels go to `title_en` and `meta_en` (folded and lightly stemmed). Nothing of
the text is stored in those fields: the stored `record` keeps what a hit shows — title,
description, and every page's text by number, which is what snippets are cut from (and folded,
which is how the page to cut from is chosen) — so ranking reads postings only and a page of hits
reads 20 records.

Facet fields hold each value as written, one term per value, so a facet's counts come straight
from its postings; `collection_path` holds every ancestor of an item's collection (`fonds`,
`fonds/series`, `fonds/series/file`) so that a filter on a collection takes in everything below it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from whoosh.fields import ID, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence

from archive.errors import InvalidInput
from search_index import analysis

TEXT_GROUPS = ("title", "meta", "pages")
ENGLISH_GROUPS = ("title", "meta")
VOCABULARIES = ("convention", "theme", "district", "ethnic-group", "decade")
ENGLISH = {"en", "eng"}

# The facets a search returns, each with the Whoosh field its counts come from and the filter
# (a key of `search(filters=...)`) that narrows it: a facet's own filter is left out of its counts.
FACETS: dict[str, tuple[str, str]] = {
    "type": ("type", "type"),
    "decade": ("decade", "decade"),
    "collection-top": ("collection_top", "collection"),
    "collection": ("collection", "collection"),
    "convention": ("convention", "convention"),
    "theme": ("theme", "theme"),
    "district": ("district", "district"),
    "ethnic-group": ("ethnic_group", "ethnic-group"),
    "language": ("language", "language"),
}
# The filters `search(filters=...)` takes, each with the Whoosh fields whose values it matches.
FILTERS: dict[str, tuple[str, ...]] = {
    "type": ("type",),
    "decade": ("decade",),
    "collection": ("collection_path",),
    "convention": ("convention",),
    "theme": ("theme",),
    "district": ("district",),
    "ethnic-group": ("ethnic_group",),
    "language": ("language",),
    "tag": tuple(v.replace("-", "_") for v in VOCABULARIES),
}
MISSING_YEAR = 999_999  # sorts after every real year, whichever way the sort goes


def _values() -> FieldType:
    return FieldType(Existence(), analysis.values_analyzer(), scorable=False)


def _text(analyzer) -> TEXT:
    return TEXT(analyzer=analyzer, phrase=True)


def build_schema() -> Schema:
    fields: dict[str, FieldType] = {
        "id": ID(stored=True, unique=True, sortable=True),
        "type": ID,
        "access": ID,
        "added": ID(sortable=True),
        "updated": ID(sortable=True),
        "year_lo": NUMERIC(int, bits=32, signed=True),
        "year_hi": NUMERIC(int, bits=32, signed=True),
        "year_asc": NUMERIC(int, bits=32, signed=True, sortable=True),
        "year_desc": NUMERIC(int, bits=32, signed=True, sortable=True),
        "record": STORED,
    }
    for name in ("collection", "collection_top", "collection_path", "language"):
        fields[name] = _values()
    for vocabulary in VOCABULARIES:
        fields[vocabulary.replace("-", "_")] = _values()
    for group in TEXT_GROUPS:
        fields[f"{group}_exact"] = _text(analysis.exact_analyzer())
        fields[f"{group}_folded"] = _text(analysis.folded_analyzer())
    for group in ENGLISH_GROUPS:
        fields[f"{group}_en"] = _text(analysis.english_analyzer())
    return Schema(**fields)


@dataclass(frozen=True)
class Prepared:
    id: str
    updated: str
    fields: dict


# Unicode's control characters (category Cc: C0 and C1) but the line feed and the tab
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(value) -> str:
    """A string in NFC with control characters (which include the values' separator) as spaces."""
    if value is None:
        return ""
    return _CONTROLS.sub(" ", unicodedata.normalize("NFC", str(value)))


def _strings(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [v for v in (_clean(v).strip() for v in values) if v]


def _join(values: list[str]) -> str:
    return analysis.ValuesTokenizer.SEPARATOR.join(values)


def _year(value, what: str, identifier: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{identifier}: {what} {value!r} is not a year")


def is_english(language: str) -> bool:
    return language.lower().split("-")[0] in ENGLISH


def _language_map(value) -> dict[str, str]:
    if not value:
        return {}
    if isinstance(value, str):
        return {"vi": _clean(value)}
    return {str(k): _clean(v) for k, v in value.items() if v}


def collection_ancestors(path: str) -> list[str]:
    """`fonds/series/file` -> [`fonds`, `fonds/series`, `fonds/series/file`]."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def prepare(document: dict) -> Prepared:
    """The Whoosh fields of one archive document (the dict `SearchIndex` describes)."""
    identifier = _clean(document.get("id")).strip()
    if not identifier:
        raise InvalidInput(f"a document without an id: {str(document)[:200]}")
    title = _language_map(document.get("title"))
    description = _language_map(document.get("description"))
    pages = []
    for number, page in enumerate(document.get("pages") or [], 1):
        text = _clean(page.get("text"))
        if text.strip():
            pages.append((int(page.get("number") or number), text))
    year_start = _year(document.get("year_start"), "year_start", identifier)
    year_end = _year(document.get("year_end"), "year_end", identifier)
    low, high = year_start if year_start is not None else year_end, year_end
    high = high if high is not None else low
    if low is not None and high is not None and high < low:
        low, high = high, low
    tags = document.get("tags") or {}
    collection = "/".join(collection_ancestors(_clean(document.get("collection")))[-1:])
    updated = _clean(document.get("updated")).strip()

    def grouped(texts: dict[str, str], english: bool) -> str:
        return "\n".join(t for lang, t in texts.items() if is_english(lang) == english)

    # A tag's labels describe the item as its subjects do: `meta` is searched with the same
    # weight (an index made before documents had labels answers as before, without them).
    labels = {lang: "\n".join(_strings(v)) for lang, v in (document.get("labels") or {}).items()}
    meta = [grouped(description, False), _clean(document.get("creator"))]
    meta += [_clean(document.get("place")), *_strings(document.get("subjects"))]
    meta += [grouped(labels, False)]
    texts = {
        "title": grouped(title, False),
        "meta": "\n".join(t for t in meta if t),
        "pages": "\n".join(text for _, text in pages),
    }
    fields: dict = {
        "id": identifier,
        "type": _clean(document.get("type")).strip().lower() or "document",
        "access": "public" if document.get("access") == "public" else "restricted",
        "added": _clean(document.get("added")).strip(),
        "updated": updated,
        "year_asc": year_start if year_start is not None else MISSING_YEAR,
        "year_desc": -year_start if year_start is not None else MISSING_YEAR,
        "collection": collection,
        "collection_top": collection.split("/")[0],
        "collection_path": _join(collection_ancestors(collection)),
        "language": _join([v.lower() for v in _strings(document.get("languages"))]),
        "title_en": grouped(title, True),
        "meta_en": "\n".join(t for t in (grouped(description, True), grouped(labels, True)) if t),
    }
    if low is not None:
        fields["year_lo"], fields["year_hi"] = low, high
    for vocabulary in VOCABULARIES:
        fields[vocabulary.replace("-", "_")] = _join(_strings(tags.get(vocabulary)))
    for group, text in texts.items():
        fields[f"{group}_exact"] = fields[f"{group}_folded"] = text
    fields["record"] = {
        "type": fields["type"],
        "title": title,
        "description": description,
        "year_start": year_start,
        "access": fields["access"],
        "pages": pages,
        "folded_pages": [analysis.fold(text) for _, text in pages],  # for choosing snippets
    }
    return Prepared(identifier, updated, {k: v for k, v in fields.items() if v != ""})
