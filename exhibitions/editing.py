"""The workspace's editor writes definition files: the same YAML the CLI reads, with the curator's
comments kept where they were written (ruamel.yaml's round trip), and never over a version it
did not start from.

The editor sends the exhibition as a plain form (`Draft`); `apply` puts its values into the
file's YAML tree in place, so a key, section or item that stays keeps its comments: sections by
the place they had in the file, items by their accession id. The form names the languages the
exhibition is written in (`Draft.languages`): Vietnamese, English and any other a curator added
or the file has; a language the file has and the form no longer names was removed, and its texts
go. `save` refuses a form made from a
version of the file that is no longer there (another curator saved, or someone edited the file
by hand), giving what changed since, so that nothing typed is lost.
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from archive.errors import ArchiveError
from exhibitions.definition import Problem
from exhibitions.mistakes import LANGUAGE

LANGUAGE_FIELDS = ("title", "summary", "partner", "venue", "attribution")
LANGUAGES = ("vi", "en")  # always in the form


@dataclass
class EntryForm:
    item: str
    caption: dict[str, str] = field(default_factory=dict)
    pages: list[int] = field(default_factory=list)


@dataclass
class SectionForm:
    origin: int | None  # its place in the file it was read from; None when new
    title: dict[str, str] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)
    entries: list[EntryForm] = field(default_factory=list)


@dataclass
class Draft:
    """What the editor's form holds."""

    texts: dict[str, dict[str, str]]  # LANGUAGE_FIELDS -> {lang: text}
    kind: str = "photo"
    start: str = ""
    end: str = ""
    curators: list[str] = field(default_factory=list)
    rights: str = ""
    access: str = "public"
    sections: list[SectionForm] = field(default_factory=list)
    languages: list[str] = field(default_factory=lambda: list(LANGUAGES))


class Stale(ArchiveError):
    """The file changed since the editor read it."""

    exit_code, http_status = 1, 409

    def __init__(self, changes: str):
        super().__init__("the definition was changed since you opened it")
        self.changes = changes


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, key order and flow styles kept
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def read(text: str) -> CommentedMap:
    found = _yaml().load(text) if text.strip() else None
    return found if isinstance(found, CommentedMap) else CommentedMap()


def form_of(text: str) -> Draft:
    """The form of a definition's text (what reads of it; the check says what does not)."""
    data = read(text)
    texts = {name: _map(data.get(name)) for name in LANGUAGE_FIELDS}
    dates = data.get("dates") if isinstance(data.get("dates"), dict) else {}
    sections = []
    for place, section in enumerate(_seq(data.get("sections"))):
        if not isinstance(section, dict):
            continue
        entries = [
            EntryForm(str(e.get("item", "")), _map(e.get("caption")), _pages(e.get("pages")))
            for e in _seq(section.get("items"))
            if isinstance(e, dict)
        ]
        sections.append(
            SectionForm(place, _map(section.get("title")), _map(section.get("text")), entries)
        )
    return Draft(
        texts=texts,
        kind=str(data.get("kind", "photo")),
        start=str(dates.get("start", "") or ""),
        end=str(dates.get("end", "") or ""),
        curators=[str(c) for c in _seq(data.get("curators"))],
        rights=str(data.get("rights", "") or ""),
        access=str(data.get("access", "public")),
        sections=sections,
        languages=languages_of(data),
    )


def languages_of(data: CommentedMap) -> list[str]:
    """Vietnamese, English, then every other language the definition writes a text in (a key
    that is no language code is not one: the check reports it, and saving keeps it)."""
    maps = [data.get(name) for name in LANGUAGE_FIELDS]
    for section in _seq(data.get("sections")):
        if isinstance(section, dict):
            maps += [section.get("title"), section.get("text")]
            maps += [e.get("caption") for e in _seq(section.get("items")) if isinstance(e, dict)]
    found = {str(k) for m in maps if isinstance(m, dict) for k in m if LANGUAGE.match(str(k))}
    return [*LANGUAGES, *sorted(found - set(LANGUAGES))]


def _map(value) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _seq(value) -> list:
    return list(value) if isinstance(value, list) else []


def _pages(value) -> list[int]:
    return [int(n) for n in _seq(value) if isinstance(n, int)]


def apply(text: str, slug: str, draft: Draft) -> str:
    """The definition `text` with the form's values, comments kept."""
    data = read(text)
    data["id"] = data.get("id") or slug
    data["kind"] = draft.kind
    for name in LANGUAGE_FIELDS:
        _set_map(data, name, draft.texts.get(name, {}))
    dates = {k: _day(v) for k, v in (("start", draft.start), ("end", draft.end)) if v}
    _set_map(data, "dates", dates, languages=False)
    _set(data, "curators", _flow_seq(draft.curators) if draft.curators else None)
    _set(data, "rights", draft.rights or None)
    _set(data, "access", draft.access if draft.access != "public" or "access" in data else None)
    data["sections"] = _sections(_seq(data.get("sections")), draft.sections)
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _day(value: str) -> date | str:
    """A date as YAML writes one (unquoted) when it is one; else as typed, for the check."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return value


def _set(data: CommentedMap, key: str, value) -> None:
    if value is None or value == "":
        data.pop(key, None)
    else:
        data[key] = value


def _set_map(data: CommentedMap, key: str, values: dict, languages: bool = True) -> None:
    """A language map (or, with `languages` false, the dates) updated in place, so that its
    comments stay. The form holds every language of the definition, so a language it leaves
    empty goes; a key that is no language code (`EN`, `en-GB`) is kept, for the check to name."""
    values = {k: v for k, v in values.items() if v}
    found = data.get(key)
    others = languages and isinstance(found, dict)
    kept = {k for k in found if not LANGUAGE.match(str(k))} if others else set()
    if not values and not kept:
        data.pop(key, None)
        return
    if not isinstance(found, CommentedMap):
        found = CommentedMap()
        if not languages or (len(values) > 1 and all(len(v) < 40 for v in values.values())):
            found.fa.set_flow_style()
        data[key] = found
    for lang in [k for k in found if k not in values and k not in kept]:
        del found[lang]
    for lang, value in values.items():
        if found.get(lang) != value:
            found[lang] = value


def _flow_seq(values: list) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _sections(old: list, forms: list[SectionForm]) -> CommentedSeq:
    by_item = {
        str(entry.get("item")): entry
        for section in old
        if isinstance(section, dict)
        for entry in _seq(section.get("items"))
        if isinstance(entry, dict)
    }
    result = old if isinstance(old, CommentedSeq) else CommentedSeq()
    made: list[CommentedMap] = []
    for form in forms:
        origin = form.origin if form.origin is not None and form.origin < len(old) else None
        section = old[origin] if origin is not None else CommentedMap()
        if not isinstance(section, CommentedMap) or any(section is m for m in made):
            section = CommentedMap()  # a place given twice is one section, then a new one
        _set_map(section, "title", form.title)
        _set_map(section, "text", form.text)
        nodes = []
        for entry in form.entries:
            kept = by_item.get(entry.item)
            node = kept if isinstance(kept, CommentedMap) else CommentedMap(item=entry.item)
            _set_map(node, "caption", entry.caption)
            _set(node, "pages", _flow_seq(entry.pages) if entry.pages else None)
            nodes.append(node)
        # The list itself is kept: a comment after its last item is held by it (ruamel), and
        # a new list lost it.
        found = section.get("items")
        entries = found if isinstance(found, CommentedSeq) else CommentedSeq()
        entries[:] = nodes
        section["items"] = entries
        made.append(section)
    result[:] = made
    return result


def changes(before: str, now: str, name: str) -> str:
    """What changed between two texts of a definition, as a unified diff."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        now.splitlines(keepends=True),
        f"{name} (as you opened it)",
        f"{name} (now)",
    )
    return "".join(lines)


def save(path: Path, text: str, opened: str) -> None:
    """Write `text` to `path`, but only when the file is still `opened` (the text the editor
    started from): else Stale, with what changed. Written beside, then renamed into place."""
    now = path.read_text(encoding="utf-8-sig") if path.exists() else ""
    if now != opened:
        raise Stale(changes(opened, now, path.name))
    partial = path.with_name(f".{path.name}.part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def places(text: str) -> list[tuple[int, str]]:
    """(first line, field) of each part of a definition, in the order of the file: where a
    problem on a line is shown in the editor (`where`)."""
    data = read(text)
    found = []
    for key in data:
        found.append((data.lc.key(key)[0] + 1, str(key)))
    for i, section in enumerate(_seq(data.get("sections"))):
        if not isinstance(section, CommentedMap):
            continue
        found.append((section.lc.line + 1, f"s{i}"))
        for j, entry in enumerate(_seq(section.get("items"))):
            if isinstance(entry, CommentedMap):
                found.append((entry.lc.line + 1, f"s{i}-i{j}"))
    return sorted(found)


def where(problems: list[Problem], text: str) -> list[dict]:
    """Each problem with the field it belongs to: the last part starting on or before its
    line."""
    try:
        parts = places(text)
    except Exception:
        parts = []
    shown = []
    for problem in problems:
        before = [name for line, name in parts if line <= problem.line]
        shown.append(
            {
                "line": problem.line,
                "message": problem.message,
                "field": before[-1] if before else "",
            }
        )
    return shown
