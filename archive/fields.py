"""The descriptive fields of an item, by their Dublin Core names, as people write them in a
metadata.csv, an item.yaml or `archive item set`: checked and normalised in one place."""

from __future__ import annotations

import datetime
import re
import unicodedata
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


# Columns that take one value each; `title` and `description` may also carry a language suffix
# (`title_en`, `description_bdq`); `subject` and `language` take several, separated by ';'.
SINGLE = ("creator", "date", "rights", "place", "latitude", "longitude", "type", "access")
MULTI = ("subject", "language")
LANGUAGE_MAPPED = ("title", "description")
_SUFFIXED = re.compile(r"^(title|description)_([a-z]{2,3})$")
# The rights URIs the IIIF schema accepts: the http:// form of a RightsStatements.org statement
# or of a Creative Commons licence.
RIGHTS = re.compile(
    r"^http://(rightsstatements\.org/vocab/[A-Za-z-]+/1\.0/"
    r"|creativecommons\.org/(licenses|publicdomain)/[a-z-]+(/[0-9.]+)?/)$"
)


def is_known_column(name: str) -> bool:
    return name in ("file", *SINGLE, *MULTI, *LANGUAGE_MAPPED) or bool(_SUFFIXED.match(name))


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
            out.setdefault(match[1], {})[match[2]] = _text(key, raw)
        elif key in MULTI:
            out[key] = _list(key, raw)
        elif key in SINGLE:
            out[key] = _single(key, raw)
        else:
            raise InvalidInput(f"unknown field {key!r}")
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
            str(lang): _text(f"{key}.{lang}", value)
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
    if key == "date":
        try:
            edtf.year_range(value)
        except InvalidInput as exc:
            raise InvalidInput(f"date: {exc}")
    elif key in ("latitude", "longitude"):
        return _coordinate(key, value)
    elif key == "type":
        return _item_type(value)
    elif key == "access" and value not in ("public", "restricted"):
        raise InvalidInput(f"access: {value!r} must be public or restricted")
    elif key == "rights" and not RIGHTS.match(value):
        raise InvalidInput(
            f"rights: {value!r} is not a RightsStatements.org or Creative Commons "
            "URI in its http:// form"
        )
    return value


# Dublin Core's own Type vocabulary (DCMI Type) is accepted beside the archive's two words.
DCMI_TYPES = {"stillimage": "photo", "image": "photo", "photograph": "photo", "text": "document"}


def _item_type(value: str) -> str:
    if value in ("photo", "document"):
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
