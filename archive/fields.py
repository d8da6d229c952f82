"""The descriptive fields of an item, in one table (`FIELDS`), by their Dublin Core names, as
people write them in a metadata.csv, an item.yaml or `archive item set`; and their checking and
normalising. What ingest records, `item set` changes, the index holds, the item page and the
manifest show and the API gives are readings of the table."""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from archive import edtf
from archive.errors import InvalidInput

LANGUAGE_TAGS = {"vie": "vi", "eng": "en", "fra": "fr", "rus": "ru", "chi_sim": "zh"}


def language_tag(tesseract_code: str) -> str:
    """The key a language map uses for a material language (BCP 47: vi, en, or ISO 639-3)."""
    return LANGUAGE_TAGS.get(tesseract_code, tesseract_code)


def default_lang(languages: str) -> str:
    """The language map key for text in a batch whose languages are `vie+eng`: the first."""
    return language_tag(languages.split("+")[0])


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# The kinds of field: how a value is written, checked and kept.
TEXT = "text"
LANGUAGE_MAP = "language map"  # {"vi": ..., "en": ...}; columns `title`, `title_en`, ...
DATE = "EDTF date"  # as written; the item also keeps its first and last year
LIST = "list"  # several values, separated by ';' in a column
URI = "URI"
NUMBER = "number"
CHOICE = "choice"  # one of `choices`


@dataclass(frozen=True)
class Field:
    """One descriptive field of an item."""

    name: str  # as metadata.csv, item.yaml, `item set` and the audit name it (Dublin Core)
    attribute: str  # the Item's (and NewItem's) attribute, and the key of the records given out
    kind: str
    columns: tuple[str, ...]  # what a metadata.csv writes it in; () when people do not
    label: dict[str, str]  # vi and en, as the item page and the manifest show it
    choices: tuple[str, ...] = ()
    embedded: str | None = None  # what a file may say of it itself (ingest.metadata.Embedded)
    required: bool = False  # every item has one: changed, never cleared
    page: bool = False  # the item page lists it among the item's fields
    manifest: bool = False  # the item manifest's metadata carries it, labelled as here
    index: bool = False  # the search index holds it (a date as its years)
    api: bool = False  # the JSON API's record and `item show --json` give it

    @property
    def empty(self) -> Any:
        """The value of an item that has none."""
        return {} if self.kind == LANGUAGE_MAP else [] if self.kind == LIST else None


# In the order the records given out (`item show --json`, the API) and the manifest hold them;
# the item page shows the rights last. Title and description head the page and are the
# manifest's label and summary; latitude and longitude are its navPlace; `rights` goes in the
# manifest's `rights` (iiif.presentation.rights_rows shows a URI it cannot carry, and the note).
FIELDS = (
    Field("type", "type", CHOICE, ("type",), {"vi": "Loại", "en": "Type"},
          choices=("photo", "document"), required=True, page=True, manifest=True, index=True,
          api=True),
    Field("title", "title", LANGUAGE_MAP, ("title", "title_LANG"),
          {"vi": "Nhan đề", "en": "Title"}, embedded="title", index=True, api=True),
    Field("description", "description", LANGUAGE_MAP, ("description", "description_LANG"),
          {"vi": "Mô tả", "en": "Description"}, embedded="description", index=True, api=True),
    Field("date", "date", DATE, ("date",), {"vi": "Thời gian", "en": "Date"}, embedded="date",
          page=True, manifest=True, index=True, api=True),
    Field("creator", "creator", TEXT, ("creator",), {"vi": "Tác giả", "en": "Creator"},
          embedded="creator", page=True, manifest=True, index=True, api=True),
    Field("place", "place", TEXT, ("place",), {"vi": "Địa điểm", "en": "Place"}, page=True,
          manifest=True, index=True, api=True),
    Field("latitude", "latitude", NUMBER, ("latitude",), {"vi": "Vĩ độ", "en": "Latitude"},
          embedded="latitude", api=True),
    Field("longitude", "longitude", NUMBER, ("longitude",), {"vi": "Kinh độ", "en": "Longitude"},
          embedded="longitude", api=True),
    Field("subject", "subjects", LIST, ("subject",), {"vi": "Chủ đề", "en": "Subjects"},
          embedded="keywords", page=True, manifest=True, index=True, api=True),
    Field("rights", "rights", URI, ("rights",), {"vi": "Quyền sử dụng", "en": "Usage rights"},
          required=True, page=True, api=True),
    Field("rights_note", "rights_note", TEXT, (),
          {"vi": "Ghi chú về quyền sử dụng", "en": "Note on usage rights"}, embedded="copyright",
          page=True),
    Field("access", "access", CHOICE, ("access",), {"vi": "Quyền truy cập", "en": "Access"},
          choices=("public", "restricted"), required=True, index=True),
    Field("language", "languages", LIST, ("language",), {"vi": "Ngôn ngữ", "en": "Languages"},
          page=True, manifest=True, index=True, api=True),
)  # fmt: skip
BY_NAME = {f.name: f for f in FIELDS}

# What people write: `title` and `description` may carry a language suffix (`title_en`,
# `description_bdq`); a list takes several values, separated by ';'.
WRITTEN = tuple(f for f in FIELDS if f.columns)
LANGUAGE_MAPPED = tuple(f.name for f in WRITTEN if f.kind == LANGUAGE_MAP)
MULTI = tuple(f.name for f in WRITTEN if f.kind == LIST)
SINGLE = tuple(f.name for f in WRITTEN if f.kind not in (LANGUAGE_MAP, LIST))
# Any suffix is taken for a language, then checked: `title_en_US` is a mistake to name, not an
# unknown column to pass over.
_SUFFIXED = re.compile(rf"^({'|'.join(LANGUAGE_MAPPED)})_(.+)$")
# The BCP 47 tags a language map may use: a language (ISO 639, two or three letters), then
# perhaps a script and a region (`en-GB`, `zh-Hant-TW`). Letters only: IIIF's schema allows no
# digits in a language key.
LANGUAGE_KEY = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$")
# What people write instead of a code, and the code they mean.
LANGUAGE_NAMES = {
    "tiếng việt": "vi",
    "vietnamese": "vi",
    "tiếng anh": "en",
    "english": "en",
    "tiếng pháp": "fr",
    "french": "fr",
    "tiếng ba na": "bdq",
    "bahnar": "bdq",
}
# The rights URIs the IIIF schema accepts: the http:// form of a RightsStatements.org statement
# or of a Creative Commons licence.
RIGHTS = re.compile(
    r"^http://(rightsstatements\.org/vocab/[A-Za-z-]+/1\.0/"
    r"|creativecommons\.org/(licenses|publicdomain)/[a-z-]+(/[0-9.]+)?/)$"
)


COLUMNS = ("file", *LANGUAGE_MAPPED, *SINGLE, *MULTI)


def is_known_column(name: str) -> bool:
    return name in COLUMNS or bool(_SUFFIXED.match(name))


def nearest(word: str, options: Iterable[str]) -> str | None:
    """The option `word` was most likely meant to be (a typing slip, other case), if any."""
    options = list(options)
    by_case = {option.casefold(): option for option in options}
    if word.casefold() in by_case:
        return by_case[word.casefold()]
    close = difflib.get_close_matches(word.casefold(), list(by_case), n=1)
    return by_case[close[0]] if close else None


def unknown_field(name: str) -> InvalidInput:
    guess = nearest(name, [c for c in COLUMNS if c != "file"])
    hint = f"; did you mean {guess!r}?" if guess else ""
    return InvalidInput(f"unknown field {name!r}{hint}")


def language_field(name: str, default_lang: str) -> tuple[str, str] | None:
    """(`title`, `en`) for the column `title_en`, (`title`, default_lang) for `title`; None for
    a column that is not language-mapped."""
    if name in LANGUAGE_MAPPED:
        return name, default_lang
    match = _SUFFIXED.match(name)
    return (match[1], language_key(match[2], name)) if match else None


def language_key(key: str, what: str) -> str:
    """`key` when it is a language tag a language map may use; else InvalidInput naming `what`
    and, when one can be guessed, the tag that was meant (`en_US` -> `en-US`)."""
    if LANGUAGE_KEY.match(key):
        return key
    guess = LANGUAGE_NAMES.get(nfc(key).strip().casefold()) or _tag_case(key)
    hint = f"; did you mean {guess!r}?" if guess else ""
    raise InvalidInput(
        f"{what}: {key!r} is not a language code (BCP 47, such as vi, en, bdq or en-GB){hint}"
    )


def _tag_case(key: str) -> str | None:
    """`EN_us` written as BCP 47 writes it, `en-US`; None when that is no tag either."""
    parts = key.strip().replace("_", "-").split("-")
    cased = [parts[0].lower()]
    for part in parts[1:]:
        cased.append(part.title() if len(part) == 4 else part.upper())
    tag = "-".join(cased)
    return tag if LANGUAGE_KEY.match(tag) else None


@dataclass
class Description:
    """What a person said of an item; every field optional. Values are NFC and checked."""

    fields: dict[str, Any] = field(default_factory=dict)


def describe(values: dict[str, Any], default_lang: str) -> Description:
    """Check and normalise one row (or one item.yaml); raise InvalidInput naming the first fault."""
    out: dict[str, Any] = {}
    for key, raw in values.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if key in LANGUAGE_MAPPED:
            out.setdefault(key, {}).update(_language_map(key, raw, default_lang))
        elif match := _SUFFIXED.match(key):
            out.setdefault(match[1], {})[language_key(match[2], key)] = _text(key, raw)
        elif key in MULTI:
            out[key] = _list(key, raw)
        elif key in SINGLE:
            out[key] = _single(key, raw)
        else:
            raise unknown_field(key)
    if ("latitude" in out) != ("longitude" in out):
        raise InvalidInput("latitude and longitude go together")
    return Description(out)


def _text(key: str, raw: Any) -> str:
    if isinstance(raw, datetime.date):  # YAML reads an unquoted 2023-05-05 as a date
        return raw.isoformat()
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise InvalidInput(f"{key}: expected text, got {type(raw).__name__}")
    return nfc(str(raw)).strip()


def _language_map(key: str, raw: Any, default_lang: str) -> dict[str, str]:
    if isinstance(raw, dict):
        return {
            language_key(str(lang), key): _text(f"{key}.{lang}", value)
            for lang, value in raw.items()
            if value is not None and str(value).strip()
        }
    return {default_lang: _text(key, raw)}


def _list(key: str, raw: Any) -> list[str]:
    items = raw if isinstance(raw, list) else str(raw).split(";")
    values = [_text(key, v) for v in items]
    values = [v for v in values if v]
    if key == "language":
        bad = [v for v in values if not re.fullmatch(r"[a-z]{3}", v)]
        if bad:
            raise InvalidInput(f"language: {bad[0]!r} is not an ISO 639-3 code such as vie or eng")
    return values


def _single(key: str, raw: Any) -> Any:
    value = _text(key, raw)
    kind = BY_NAME[key].kind
    if kind == DATE:
        try:
            edtf.year_range(value)
        except InvalidInput as exc:
            raise InvalidInput(f"date: {exc}")
    elif kind == NUMBER:
        return _coordinate(key, value)
    elif key == "type":
        return _item_type(value)
    elif kind == CHOICE and value not in BY_NAME[key].choices:
        raise InvalidInput(f"{key}: {value!r} must be {' or '.join(BY_NAME[key].choices)}")
    elif kind == URI and not RIGHTS.match(value):
        raise InvalidInput(
            f"rights: {value!r} is not a RightsStatements.org or Creative Commons "
            "URI in its http:// form"
        )
    return value


# Dublin Core's own Type vocabulary (DCMI Type) is accepted beside the archive's two words.
DCMI_TYPES = {"stillimage": "photo", "image": "photo", "photograph": "photo", "text": "document"}


def _item_type(value: str) -> str:
    if value in BY_NAME["type"].choices:
        return value
    if value.casefold() in DCMI_TYPES:
        return DCMI_TYPES[value.casefold()]
    raise InvalidInput(
        f"type: {value!r} must be photo or document (or the DCMI types StillImage or Text)"
    )


def _coordinate(key: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise InvalidInput(f"{key}: {value!r} is not a number")
    limit = 90 if key == "latitude" else 180
    if not -limit <= number <= limit:
        raise InvalidInput(f"{key}: {number} is out of range")
    return number


# A spreadsheet runs a cell that starts so as a formula (OWASP, "CSV injection").
FORMULA = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralised(value: str) -> str:
    """A cell no spreadsheet runs; one that already starts with the apostrophe gets another, so
    that `restored` gives every value back exactly."""
    return QUOTE + value if value.startswith((*FORMULA, QUOTE)) else value


def restored(value: str) -> str:
    """A cell as it was before `neutralised`; cells people wrote are left as they are unless they
    start with an apostrophe before a formula's first character (or another apostrophe)."""
    if value.startswith(QUOTE) and value[1:2] and value[1:2] in (*FORMULA, QUOTE):
        return value[1:]
    return value
