"""What the archive's values are called in the page's language: types, facets and their values,
decades, languages, concepts, rights, text sources, sorts, dates and numbers. The tables hold the
messages (marked for extraction by N_); only the one shown is translated, when it is shown."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable
from datetime import date

from babel import Locale, UnknownLocaleError
from babel.dates import get_month_names
from babel.numbers import get_group_symbol
from babel.support import Translations
from flask_babel import format_decimal, get_locale

from catalogue import services
from catalogue.i18n import (
    LANGUAGES,
    TRANSLATIONS,
    Localized,
    compile_catalogues,
    current,
    gettext,
    localized,
)
from search_index.schema import VOCABULARIES

_ = gettext

VOCABULARY_FILTERS = VOCABULARIES  # a tag of these is a filter of its own
# Items name their languages in ISO 639-3; `lang` attributes and Babel's names use ISO 639-1
# where there is such a code.
TAGS_639_1 = {"vie": "vi", "eng": "en", "fra": "fr", "rus": "ru", "zho": "zh"}
TAGS_639_3 = {short: long for long, short in TAGS_639_1.items()}
# EDTF's dates (archive.edtf reads the same): a year, a decade or a century, with a month and a
# day, and a qualifier: uncertain (?), approximate (~) or both (%).
_EDTF = re.compile(
    r"(?P<year>\d{4}|\d{3}X|\d{2}XX)(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?"
    r"(?P<qualifier>[?~%])?"
)
DEFAULT_LOCALE = "vi"


def N_(message: str) -> str:
    return message


TYPE_LABELS = {"photo": N_("Photograph"), "document": N_("Document")}
# The labels of the item fields the item page lists (archive.fields.FIELDS, in English there),
# marked here for the catalogues, which translate them as the table does (a test checks).
FIELD_LABELS = (
    N_("Type"), N_("Date"), N_("Creator"), N_("Place"), N_("Subjects"), N_("Languages"),
    N_("Usage rights"), N_("Note on usage rights"),
)  # fmt: skip
FACET_LABELS = {
    "type": N_("Type"),
    "collection": N_("Collection"),
    "decade": N_("Decade"),
    "convention": N_("Convention"),
    "theme": N_("Theme"),
    "district": N_("District"),
    "ethnic-group": N_("Ethnic group"),
    "language": N_("Language"),
    "tag": N_("Tag"),
    "year": N_("Years"),
}
# The province's languages, which Babel's locale data does not name.
OWN_LANGUAGES = {
    "bdq": N_("Bahnar"),
    "sed": N_("Sedang"),
    "jra": N_("Jarai"),
    "jeh": N_("Jeh"),
    "brb": N_("Brao"),
    "rmx": N_("Romam"),
}
RIGHTS_STATEMENTS = {
    "InC": N_("In Copyright"),
    "InC-OW-EU": N_("In Copyright - EU Orphan Work"),
    "InC-EDU": N_("In Copyright - Educational Use Permitted"),
    "InC-NC": N_("In Copyright - Non-Commercial Use Permitted"),
    "InC-RUU": N_("In Copyright - Rights-holder(s) Unlocatable or Unidentifiable"),
    "NoC-CR": N_("No Copyright - Contractual Restrictions"),
    "NoC-NC": N_("No Copyright - Non-Commercial Use Only"),
    "NoC-OKLR": N_("No Copyright - Other Known Legal Restrictions"),
    "NoC-US": N_("No Copyright - United States"),
    "CNE": N_("Copyright Not Evaluated"),
    "UND": N_("Copyright Undetermined"),
    "NKC": N_("No Known Copyright"),
}
TEXT_SOURCES = {
    "ocr": N_("Read by machine (OCR); it may contain mistakes."),
    "pdf-text": N_("The text layer of the PDF file."),
    "person": N_("Transcribed by a person."),
}
QUALIFIERS = {
    "?": N_("probably %(date)s"),
    "~": N_("about %(date)s"),
    "%": N_("probably about %(date)s"),
}
SORT_LABELS = {
    "relevance": N_("Relevance"),
    "date": N_("Date, oldest first"),
    "-date": N_("Date, newest first"),
}


def _translated(table: dict[str, str], key: str) -> str | None:
    message = table.get(key)
    return _(message) if message is not None else None


def type_label(value: str) -> str:
    return _translated(TYPE_LABELS, value) or value


def facet_label(name: str) -> str:
    return _translated(FACET_LABELS, name) or name


def decade_label(value: str) -> str:
    """`1970s` -> "the 1970s" in the page's language (a year is never grouped: 1970, not 1.970)."""
    match = re.fullmatch(r"(\d{3,4})s", value)
    return _("%(decade)ss", decade=match.group(1)) if match else value


def language_label(code: str) -> str:
    """The name of a language from its ISO 639-3 (or 639-1, or BCP 47) code, in the page's
    language."""
    return language_name(code, current(), gettext)


def language_name(code: str, lang: str, translate: Callable[[str], str]) -> str:
    """The name of the language `code` (`bdq`, `vie`, `vi`, `en-GB`) in the language `lang`,
    `translate` giving the messages of `lang`: the province's own languages, which Babel does
    not name, are messages of the catalogue."""
    base = code.split("-")[0].lower()
    own = OWN_LANGUAGES.get(TAGS_639_3.get(base, base))
    if own is not None:
        return translate(own)
    names = _locale_languages(lang)
    return (
        names.get(code.replace("-", "_"))
        or names.get(TAGS_639_1.get(base, base))
        or names.get(base)
        or code
    )


@functools.cache
def catalogue_messages(lang: str) -> Callable[[str], str]:
    """The catalogue's messages in `lang`, outside a request (a message it lacks is itself)."""
    compile_catalogues(TRANSLATIONS)
    return Translations.load(str(TRANSLATIONS), [lang]).ugettext


@functools.cache
def _locale_languages(lang: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(lang).languages)
    except (ValueError, UnknownLocaleError):
        return {}


def concept_label(vocabulary: str, term: str) -> Localized:
    if vocabulary == "decade":
        return Localized(decade_label(term), current())
    concept = services.archive().vocabularies.get(vocabulary, {}).get(term)
    return localized(concept.pref, term) if concept is not None else Localized(term, current())


def subject_label(subject: str, lang: str) -> Localized:
    """A subject as the catalogue has it, in `lang` (the entry's language); or, when it is a
    name of a concept of the vocabularies (preferred or alternative, in any language, in any
    case), the concept's name in the page's language, as its tags are shown."""
    concept = _concepts_by_name(services.archive().vocabularies).get(_name_key(subject))
    if concept is None:
        return Localized(subject, lang)
    return localized(concept.pref, subject)


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


_NAMES: list = [None, {}]  # (vocabularies, their concepts by name): an archive has one set


def _concepts_by_name(vocabularies: dict) -> dict:
    """Concepts by each of their names; a name that two concepts share names neither."""
    if _NAMES[0] is not vocabularies:
        found: dict = {}
        for concepts in vocabularies.values():
            for concept in concepts.values():
                names = [*concept.pref.values(), *itertools.chain(*concept.alt.values())]
                for key in {_name_key(name) for name in names}:
                    found[key] = concept if found.get(key, concept) is concept else None
        _NAMES[:] = [vocabularies, {k: c for k, c in found.items() if c is not None}]
    return _NAMES[1]


def value_label(name: str, value: str, collections: dict[str, Localized]) -> Localized:
    """A facet's or a filter's value as a reader knows it."""
    if name == "type":
        return Localized(type_label(value), current())
    if name == "collection":
        return collections.get(value) or Localized(value, current())
    if name == "language":
        return Localized(language_label(value), current())
    if name in VOCABULARY_FILTERS:
        return concept_label(name, value)
    if name == "tag":
        return _tag_label(value)
    return Localized(value, current())


def _tag_label(value: str) -> Localized:
    """A `tag` filter names a term of any vocabulary."""
    for name, concepts in services.archive().vocabularies.items():
        if value in concepts:
            return concept_label(name, value)
    return Localized(value, current())


def rights_label(uri: str) -> str:
    """The name of a RightsStatements.org statement or a Creative Commons licence."""
    statement = re.fullmatch(r"https?://rightsstatements\.org/vocab/([A-Za-z-]+)/1\.0/?", uri)
    named = _rights_statement(statement.group(1)) if statement else None
    if named:
        return named
    licence = re.fullmatch(
        r"https?://creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/?([0-9.]+)?/?", uri
    )
    if licence:
        kind, name, version = licence.groups()
        if kind == "publicdomain":
            named = {"zero": "CC0", "mark": _("Public Domain Mark")}.get(name, name)
        else:
            named = "CC " + name.upper()
        return f"{named} {version}" if version else named
    return uri


def _rights_statement(code: str) -> str | None:
    return _translated(RIGHTS_STATEMENTS, code)


def text_source_label(source: str) -> str:
    return _translated(TEXT_SOURCES, source) or source


def display_date(edtf: str | None) -> str:
    """An EDTF date as a reader of the page's language writes it: `ngày 22 tháng 10 năm 2008`,
    `22 October 2008`; a month, a year, a decade (`199X`), a century (`19XX`), an uncertain
    (`?`) or approximate (`~`) one, and intervals (`1975/1980`, `1975/..`) likewise. What is
    not such a date (`2023-02-30`) is shown as the archivist wrote it."""
    if not edtf:
        return ""
    text = edtf.strip()
    if "/" not in text:
        return _point(text) or text
    first, _sep, last = text.partition("/")
    start, end = _side(first), _side(last)
    if start is None or end is None or not (start or end):
        return text
    if not end:
        return _("from %(start)s", start=start)
    if not start:
        return _("until %(end)s", end=end)
    return _("%(start)s to %(end)s", start=start, end=end)


def _side(text: str) -> str | None:
    """One end of an interval: '' when open or unknown, None when it is no date."""
    return "" if text in ("", "..") else _point(text)


def _point(text: str) -> str | None:
    match = _EDTF.fullmatch(text)
    if not match:
        return None
    year, month, day, qualifier = match.group("year", "month", "day", "qualifier")
    if year.endswith("XX"):
        shown = None if month else _("the %(century)s century", century=_century(year))
    elif year.endswith("X"):
        shown = None if month else _("the %(decade)ss", decade=year[:3] + "0")
    elif not month:
        shown = _("%(year)s", year=int(year))
    else:
        shown = _day_or_month(int(year), int(month), int(day) if day else None)
    if shown is None or not qualifier:
        return shown
    return _(QUALIFIERS[qualifier], date=shown)


def _day_or_month(year: int, month: int, day: int | None) -> str | None:
    try:
        date(year, month, day or 1)  # 2023-02-30 is EDTF-shaped but no day
    except ValueError:
        return None
    name = get_month_names("wide", "format", get_locale() or DEFAULT_LOCALE)[month]
    if day is None:
        return _("%(month)s %(year)s", month=name, year=year)
    return _("%(day)s %(month)s %(year)s", day=day, month=name, year=year)


def _century(year: str) -> str:
    """`19XX` -> the 20th century, as the page's language numbers centuries (XX in
    Vietnamese, 20th in English)."""
    ordinal = int(year[:2]) + 1
    if current() == "vi":
        return _roman(ordinal)
    if ordinal % 100 in (11, 12, 13):
        return f"{ordinal}th"
    return f"{ordinal}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(ordinal % 10, 'th') }"


def _roman(value: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    found = ""
    for worth, numeral in numerals:
        count, value = divmod(value, worth)
        found += numeral * count
    return found


def number(value: int) -> str:
    """A count, grouped as the page's language writes it (1.234 in Vietnamese, 1,234 in English).
    A page of results writes hundreds (the facets'): grouping by threes with the language's
    symbol is what Babel's pattern does for both languages (#,##0.###), at a fiftieth of its
    cost; another language goes through Babel."""
    lang = current()
    if lang in LANGUAGES and isinstance(value, int):
        return f"{value:,}".replace(",", _group_symbol(lang))
    return format_decimal(value)


@functools.cache
def _group_symbol(lang: str) -> str:
    return get_group_symbol(lang)


def sort_label(sort: str) -> str:
    return _(SORT_LABELS[sort])
