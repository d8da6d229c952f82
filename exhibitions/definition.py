"""A curator's exhibition definition, as read from its YAML file.

Every part remembers the line it was written on, so a problem can be reported as `file:line`.
`load` reads a file and reports every mistake in it at once; `check` holds a definition against
the archive's items, whose facts `item_facts` reads from the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from archive.accession import PATTERN as ACCESSION
from archive.fields import RIGHTS, nearest, nfc
from archive.models import Item, Page
from exhibitions.mistakes import (
    LANGUAGE,
    YAML_TAG,
    accession_guess,
    language_message,
    rights_guess,
    shape,
    slug_guess,
    syntax_problem,
    tag_message,
)

KINDS = ("photo", "archive")

LanguageMap = dict[str, str]  # {"vi": "…", "en": "…"}


@dataclass(frozen=True)
class Entry:
    """One item shown in a section, in the curator's order."""

    item: str  # accession id
    caption: LanguageMap = field(default_factory=dict)
    pages: tuple[int, ...] = ()  # 1-based page numbers to show, in order; empty: every page
    line: int = 0  # of its accession id
    pages_line: int = 0  # of its pages, when given


@dataclass(frozen=True)
class Section:
    title: LanguageMap
    text: LanguageMap = field(default_factory=dict)
    entries: tuple[Entry, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Exhibition:
    id: str  # slug: lowercase letters, digits, hyphens
    kind: str  # photo | archive
    title: LanguageMap
    summary: LanguageMap = field(default_factory=dict)
    partner: LanguageMap = field(default_factory=dict)
    venue: LanguageMap = field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    curators: tuple[str, ...] = ()
    rights: str = ""
    attribution: LanguageMap = field(default_factory=dict)
    access: str = "public"  # public | restricted: a public exhibition shows public items only
    sections: tuple[Section, ...] = ()
    path: Path | None = None  # the file it was read from

    def entries(self) -> list[Entry]:
        return [entry for section in self.sections for entry in section.entries]


# -- reading and checking a definition --------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One mistake in a definition, where the curator wrote it."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class ItemFacts:
    """What the check needs to know of an archive item."""

    type: str  # photo | document
    access: str  # public | restricted
    pages: int


TOP_KEYS = (
    "id",
    "kind",
    "title",
    "summary",
    "partner",
    "venue",
    "dates",
    "curators",
    "rights",
    "attribution",
    "access",
    "sections",
)
DATE_KEYS = ("start", "end")
SECTION_KEYS = ("title", "text", "items")
ENTRY_KEYS = ("item", "caption", "pages")
ACCESS = ("public", "restricted")

# Where each key belongs, to tell a curator who put a key one level off where it goes.
_PLACES = {
    "the exhibition": TOP_KEYS,
    "dates": DATE_KEYS,
    "a section": SECTION_KEYS,
    "an item entry": ENTRY_KEYS,
}
_REQUIRED_HINTS = {
    "id": " (a short name for its web address, such as quyen-con-nguoi-2024)",
    "kind": " (photo or archive)",
    "title": ' (such as {vi: "…", en: "…"})',
    "sections": " (the list of its sections)",
    "items": " (the list of the items it shows)",
    "item": " (the accession id of an item, such as KT-2024-000001)",
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# The tags the safe loader resolves plain values to; any other (`!!python/...`, `!mine`) was
# written on purpose and is refused, never acted on.
_PLAIN_TAGS = {
    YAML_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "value")
} | {YAML_TAG + "seq", YAML_TAG + "map"}
# libyaml's parser where PyYAML was built with it; both give the same nodes and lines.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SQL_SLICE = 500  # ids per query, well below the parameters one SQLite statement may carry

_T = TypeVar("_T")


def load(path: Path) -> tuple[Exhibition | None, list[Problem]]:
    """Read a definition; None when it is too broken to build (the problems say why).

    Every mistake is reported, in the order of the file. An Exhibition comes back whenever its
    id, kind, title and sections can be read, even with other problems (their parts left out),
    so that `check` can report its own problems at the same time: build it only when both
    lists are empty."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return None, [Problem(str(path), 1, "the file is not UTF-8 text; save it as UTF-8")]
    except OSError as error:
        return None, [Problem(str(path), 1, f"the file cannot be read: {error.strerror}")]
    return _Reader(str(path)).read(text, Path(path))


def parse(text: str, path: Path) -> tuple[Exhibition | None, list[Problem]]:
    """`load`, of a text read already (`path` names it in the problems)."""
    return _Reader(str(path)).read(text, Path(path))


def inspect(
    text: str, path: Path, facts_of: Callable[[list[str]], Mapping[str, ItemFacts]]
) -> tuple[Exhibition | None, list[Problem]]:
    """`load` and `check` in one: every problem of the text, in the order of the file. The
    items are checked even when the definition as a whole cannot be read (a missing id, a
    section gone wrong), so that a curator mends everything in one go; `facts_of` reads the
    facts of the accession ids it is given (`item_facts` in a session)."""
    reader = _Reader(str(path))
    exhibition, problems = reader.read(text, Path(path))
    facts = facts_of([entry.item for entry in reader.seen])
    problems += [
        Problem(str(path), line, message)
        for entry in reader.seen
        for line, message in _entry_problems(entry, facts.get(entry.item), reader.access)
    ]
    return exhibition, sorted(problems, key=lambda p: p.line)


def check(exhibition: Exhibition, facts: Mapping[str, ItemFacts]) -> list[Problem]:
    """Problems of a well-formed definition against the archive's items (`facts` by accession
    id, holding only the items that exist)."""
    where = str(exhibition.path) if exhibition.path else exhibition.id
    return [
        Problem(where, line, message)
        for entry in exhibition.entries()
        for line, message in _entry_problems(entry, facts.get(entry.item), exhibition.access)
    ]


def _entry_problems(entry: Entry, facts: ItemFacts | None, access: str) -> list[tuple[int, str]]:
    """(line, message) of each problem of one entry."""
    if facts is None:
        return [(entry.line, f"{entry.item} is not in the archive")]
    found = []
    if access == "public" and facts.access == "restricted":
        message = f"{entry.item} is restricted, and a public exhibition shows public items only"
        found.append((entry.line, message))
    pages_line = entry.pages_line or entry.line
    if entry.pages and facts.type == "photo":
        found.append((pages_line, f"{entry.item} is a photo: `pages` is only for documents"))
    elif entry.pages:
        count = f"{facts.pages} page" + ("" if facts.pages == 1 else "s")
        found += [
            (pages_line, f"page {n}, but {entry.item} has {count}")
            for n in entry.pages
            if n > facts.pages
        ]
    return found


def item_facts(session: Session, accession_ids: Iterable[str]) -> dict[str, ItemFacts]:
    """Those of the ids that exist, read from the archive database (archive.models Item/Page)."""
    wanted = sorted(set(accession_ids))
    found: dict[str, ItemFacts] = {}
    for start in range(0, len(wanted), _SQL_SLICE):
        query = (
            select(Item.accession_id, Item.type, Item.access, func.count(Page.id))
            .outerjoin(Page, Page.item_id == Item.id)
            .where(Item.accession_id.in_(wanted[start : start + _SQL_SLICE]))
            .group_by(Item.id)
        )
        for accession_id, kind, access, pages in session.execute(query):
            found[accession_id] = ItemFacts(type=kind, access=access, pages=pages)
    return found


class _Invalid(Exception):
    """A part that cannot be used; its problem is already reported."""


class _Reader:
    """One definition, read from YAML's node tree so that every problem can name its line.

    A reading method reports what is wrong and raises _Invalid; its caller leaves that part out
    and reads on, so one pass finds every mistake."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.refused: set[int] = set()  # ids of nodes whose tag is not allowed
        self.shown: dict[str, int] = {}  # accession id -> the line it is first shown on
        self.seen: list[Entry] = []  # every entry read well, for `inspect`
        self.access = "public"  # as the definition says, once read

    def report(self, at: Node | int, message: str) -> _Invalid:
        line = at if isinstance(at, int) else at.start_mark.line + 1
        self.problems.append(Problem(self.path, line, message))
        return _Invalid()

    def read(self, text: str, path: Path) -> tuple[Exhibition | None, list[Problem]]:
        exhibition = None
        try:
            top = self.compose(text)
            self.refuse_tags(top, set())
            exhibition = self.exhibition(top, path)
        except _Invalid:
            pass
        return exhibition, sorted(self.problems, key=lambda p: p.line)  # stable within a line

    def compose(self, text: str) -> Node:
        try:
            node = yaml.compose(text, Loader=_LOADER)
        except yaml.MarkedYAMLError as error:
            line, message = syntax_problem(error, text)
            raise self.report(line, message)
        except yaml.YAMLError as error:
            raise self.report(1, f"this is not valid YAML: {error}")
        if node is None:
            raise self.report(1, "the file is empty")
        return node

    def refuse_tags(self, node: Node, seen: set[int]) -> None:
        if id(node) in seen:  # an alias is the node it names, and may name its own parent
            return
        seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            self.refused.add(id(node))
            self.report(node, tag_message(node.tag))
        if isinstance(node, SequenceNode):
            for child in node.value:
                self.refuse_tags(child, seen)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                self.refuse_tags(key, seen)
                self.refuse_tags(value, seen)

    def attempt(self, default: _T, read: Callable[..., _T], *args: object) -> _T:
        """What `read(*args)` gives, or `default` when it is invalid (and reported)."""
        try:
            return read(*args)
        except _Invalid:
            return default

    def optional(
        self, keys: dict[str, Node], name: str, default: _T, read: Callable[..., _T], *args: object
    ) -> _T:
        """The value of the key `name` read by `read(node, *args)`; `default` when absent or
        invalid."""
        return self.attempt(default, read, keys[name], *args) if name in keys else default

    def each(self, nodes: list[Node], read: Callable[..., _T], *args: object) -> tuple[_T, ...]:
        """The nodes that read well; the others are reported and left out."""
        values = (self.attempt(None, read, node, *args) for node in nodes)
        return tuple(value for value in values if value is not None)

    # -- the parts of a definition ------------------------------------------------------------

    def exhibition(self, node: Node, path: Path) -> Exhibition:
        keys = self.fields(node, "the exhibition", TOP_KEYS, ("id", "kind", "title", "sections"))
        ident = self.optional(keys, "id", None, self.slug)
        kind = self.optional(keys, "kind", None, self.choice, "kind", KINDS)
        title = self.optional(keys, "title", None, self.language_map, "title", True)
        start, end = self.optional(keys, "dates", (None, None), self.dates)
        self.access = self.optional(keys, "access", "public", self.choice, "access", ACCESS)
        exhibition = Exhibition(
            id=ident or "",
            kind=kind or "",
            title=title or {},
            summary=self.optional(keys, "summary", {}, self.language_map, "summary"),
            partner=self.optional(keys, "partner", {}, self.language_map, "partner"),
            venue=self.optional(keys, "venue", {}, self.language_map, "venue"),
            start=start,
            end=end,
            curators=self.optional(keys, "curators", (), self.curators),
            rights=self.optional(keys, "rights", "", self.rights),
            attribution=self.optional(keys, "attribution", {}, self.language_map, "attribution"),
            access=self.access,
            sections=self.optional(keys, "sections", None, self.sections) or (),
            path=path,
        )
        # Read to the end first, so that every problem is reported, then refuse what is unusable.
        if None in (ident, kind, title) or not exhibition.sections:
            raise _Invalid()
        return exhibition

    def dates(self, node: Node) -> tuple[date | None, date | None]:
        keys = self.fields(node, "dates", DATE_KEYS)
        start = self.optional(keys, "start", None, self.date, "start")
        end = self.optional(keys, "end", None, self.date, "end")
        if start and end and end < start:
            self.report(keys["end"], f"the end, {end}, is before the start, {start}")
            end = None
        return start, end

    def curators(self, node: Node) -> tuple[str, ...]:
        return self.each(self.sequence(node, "curators", '["Nguyễn Văn A"]'), self.text, "a name")

    def sections(self, node: Node) -> tuple[Section, ...]:
        nodes = self.sequence(node, "sections", "`- title: {vi: …}` lines")
        if not nodes:
            self.report(node, "sections is empty: an exhibition needs at least one section")
        return self.each(nodes, self.section)

    def section(self, node: Node) -> Section:
        keys = self.fields(node, "a section", SECTION_KEYS, ("title", "items"))
        return Section(
            title=self.optional(keys, "title", {}, self.language_map, "section title", True),
            text=self.optional(keys, "text", {}, self.language_map, "section text", True),
            entries=self.optional(keys, "items", (), self.entries),
            line=node.start_mark.line + 1,
        )

    def entries(self, node: Node) -> tuple[Entry, ...]:
        nodes = self.sequence(node, "items", "`- item: KT-2024-000001` lines")
        if not nodes:
            self.report(node, "items is empty: a section shows at least one item")
        return self.each(nodes, self.entry)

    def entry(self, node: Node) -> Entry:
        if isinstance(node, ScalarNode) and id(node) not in self.refused:
            raise self.report(
                node, f"an item entry must be written `- item: {node.value}`, not `- {node.value}`"
            )
        keys = self.fields(node, "an item entry", ENTRY_KEYS, ("item",))
        item = self.optional(keys, "item", None, self.accession)
        caption = self.optional(keys, "caption", {}, self.language_map, "caption", True)
        pages = self.optional(keys, "pages", (), self.pages)
        if item is None:
            raise _Invalid()
        # The entry's line is its accession id's: what the archive's checks speak of.
        line = keys["item"].start_mark.line + 1
        if item in self.shown:
            raise self.report(
                line, f"{item} is already in this exhibition, on line {self.shown[item]}"
            )
        self.shown[item] = line
        pages_line = keys["pages"].start_mark.line + 1 if "pages" in keys else 0
        entry = Entry(item=item, caption=caption, pages=pages, line=line, pages_line=pages_line)
        self.seen.append(entry)
        return entry

    # -- values -------------------------------------------------------------------------------

    def slug(self, node: Node) -> str:
        value = self.text(node, "id")
        if not SLUG.match(value):
            guess = slug_guess(value)
            hint = f"; did you mean `{guess}`?" if guess else ""
            raise self.report(
                node, f"id `{value}` must be lowercase letters, digits and hyphens{hint}"
            )
        return value

    def choice(self, node: Node, what: str, options: tuple[str, ...]) -> str:
        value = self.text(node, what)
        if value not in options:
            close = nearest(value, options)
            hint = f"; did you mean `{close}`?" if close else ""
            raise self.report(node, f"{what} `{value}` must be {' or '.join(options)}{hint}")
        return value

    def date(self, node: Node, what: str) -> date:
        self.usable(node)
        if not isinstance(node, ScalarNode):
            raise self.report(node, f"{what} must be a date such as 2024-12-10, not {shape(node)}")
        value = node.value.strip()
        if node.tag == YAML_TAG + "null" or not value:
            raise self.report(node, f"{what} is empty")
        if not _ISO_DATE.match(value):
            raise self.report(
                node, f"{what} `{value}` is not a date written YYYY-MM-DD, such as 2024-12-10"
            )
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.report(node, f"{what} `{value}` is not a real date")

    def rights(self, node: Node) -> str:
        value = self.text(node, "rights")
        if RIGHTS.match(value):
            return value
        guess = rights_guess(value)
        if guess and value.startswith("https://"):
            message = f"rights must be written in its http:// form: `{guess}`"
        elif guess:
            message = (
                f"rights `{value}` is not written as the standard says; did you mean `{guess}`?"
            )
        else:
            message = (
                f"rights `{value}` is not a RightsStatements.org or Creative Commons URI, "
                "such as http://rightsstatements.org/vocab/InC-EDU/1.0/"
            )
        raise self.report(node, message)

    def accession(self, node: Node) -> str:
        value = self.text(node, "item")
        if not ACCESSION.match(value):
            guess = accession_guess(value)
            hint = f"; did you mean `{guess}`?" if guess else ""
            raise self.report(
                node,
                f"`{value}` is not an accession id: they are written PREFIX-YEAR-NUMBER, "
                f"such as KT-2024-000001{hint}",
            )
        return value

    def pages(self, node: Node) -> tuple[int, ...]:
        items = self.sequence(node, "pages", "[1, 3]")
        if not items:
            raise self.report(node, "pages is empty: leave `pages` out to show every page")
        pages: list[int] = []
        for item in items:
            number = self.attempt(None, self.page, item)
            if number in pages:
                self.report(item, f"page {number} is listed twice")
            elif number is not None:
                pages.append(number)
        return tuple(pages)

    def page(self, node: Node) -> int:
        self.usable(node)
        written = node.value.strip() if isinstance(node, ScalarNode) else ""
        if node.tag == YAML_TAG + "int" and written.isdigit() and int(written) > 0:
            return int(written)
        if written.isdigit() and int(written) > 0:  # quoted, so YAML reads it as text
            raise self.report(node, f"page `{written}` is in quotes: write it without them")
        shown = f"`{written}`" if written else shape(node)
        raise self.report(node, f"{shown} is not a page number: pages are whole numbers from 1")

    def language_map(self, node: Node, what: str, need_vi: bool = False) -> LanguageMap:
        self.usable(node)
        if not isinstance(node, MappingNode):
            raise self.report(
                node,
                f'{what} must be a language map such as {{vi: "…", en: "…"}}, not {shape(node)}',
            )
        texts: LanguageMap = {}
        written = self.mapping(node, what, None)
        for lang, (key, value) in written.items():
            if not LANGUAGE.match(lang):
                self.report(key, language_message(lang, what))
                continue
            text = self.attempt(None, self.text, value, f"{what} in `{lang}`")
            if text is not None:
                texts[lang] = text
        if need_vi and "vi" not in texts:
            if any(lang.lower() == "vi" for lang in written):
                raise _Invalid()  # written, but wrongly: that is reported already
            raise self.report(node, f"{what} has no Vietnamese text (`vi`)")
        return texts

    # -- shapes -------------------------------------------------------------------------------

    def fields(
        self, node: Node, what: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, Node]:
        """Key -> value node of a mapping with these keys; unknown, repeated and missing keys
        are reported."""
        self.usable(node)
        if not isinstance(node, MappingNode):
            raise self.report(
                node, f"{what} must be a mapping of keys ({', '.join(allowed)}), not {shape(node)}"
            )
        keys = {name: value for name, (_, value) in self.mapping(node, what, allowed).items()}
        for name in required:
            if name not in keys:
                self.report(node, f"{what} has no `{name}`{_REQUIRED_HINTS.get(name, '')}")
        return keys

    def mapping(
        self, node: MappingNode, what: str, allowed: tuple[str, ...] | None
    ) -> dict[str, tuple[Node, Node]]:
        """Key -> (key node, value node); a repeated key, or one not `allowed`, is reported."""
        found: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            name = self.key(key)
            if name is None:
                continue
            if name in found:
                first = found[name][0].start_mark.line + 1
                self.report(key, f"`{name}` is given twice in {what} (first on line {first})")
            elif allowed is not None and name not in allowed:
                self.report(key, _unknown_key(name, what, allowed))
            else:
                found[name] = (key, value)
        return found

    def key(self, node: Node) -> str | None:
        if id(node) in self.refused:
            return None
        if not isinstance(node, ScalarNode) or not node.value.strip():
            self.report(node, "a key must be a word, such as `title`")
            return None
        return nfc(node.value.strip())

    def sequence(self, node: Node, what: str, example: str) -> list[Node]:
        self.usable(node)
        if not isinstance(node, SequenceNode):
            raise self.report(node, f"{what} must be a list such as {example}, not {shape(node)}")
        return node.value

    def text(self, node: Node, what: str) -> str:
        # The scalar as written, so `No` or `1975` stay text rather than becoming False or 1975.
        self.usable(node)
        if not isinstance(node, ScalarNode):
            raise self.report(node, f"{what} must be text, not {shape(node)}")
        value = nfc(node.value.strip())
        if node.tag == YAML_TAG + "null" or not value:
            raise self.report(node, f"{what} is empty")
        return value

    def usable(self, node: Node) -> None:
        if id(node) in self.refused:
            raise _Invalid()


def _unknown_key(name: str, what: str, allowed: tuple[str, ...]) -> str:
    elsewhere = [place for place, keys in _PLACES.items() if name in keys and place != what]
    if elsewhere:
        return f"`{name}` is not a key of {what}: it belongs to {' or '.join(elsewhere)}"
    close = nearest(name, allowed)
    if close:
        return f"unknown key `{name}` in {what}; did you mean `{close}`?"
    return f"unknown key `{name}` in {what}; the keys are: {', '.join(allowed)}"
