"""The collections: a tree of fonds, series and files, each with its description (title and
scope in several languages, dates, creator, extent in units and linear metres). Made by ingest
(`--collection`) and by archivists: created, described, renamed and moved, each a unit of work.

A collection is addressed by its path (`fonds/series/file`); renaming or moving one changes the
paths of those below it, so their items are indexed again (search filters by that path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from archive import edtf
from archive.errors import InvalidInput, NotFound
from archive.fields import LANGUAGE_KEY, nearest, nfc
from archive.items import COLLECTION_LEVELS, _is_slug, collection
from archive.models import Collection, Item

if TYPE_CHECKING:
    from archive.work import UnitOfWork

MAPPED = ("title", "scope")  # language maps: `title_vi`, `scope_en`
SINGLE = ("dates", "creator", "extent_units", "extent_metres")
FIELDS = (*MAPPED, *SINGLE)
MAX_TEXT = {"title": 500, "scope": 20000, "creator": 500, "dates": 40}


def find(session: Session, slug: str) -> Collection:
    """The collection at `slug`; NotFound naming the nearest one when there is none."""
    slug = slug.strip().strip("/")
    found = session.scalar(select(Collection).where(Collection.slug == slug))
    if found is None:
        guess = nearest(slug, list(session.scalars(select(Collection.slug))))
        raise NotFound(f"no collection {slug!r}" + (f"; did you mean {guess!r}?" if guess else ""))
    return found


@dataclass
class Branch:
    """A collection in the fonds/series/file tree, with its items counted (its own, and with
    those below it) and its description: scope, dates, creator, extent_units, extent_metres."""

    slug: str
    level: str
    title: dict[str, str]
    own: int = 0
    children: list[Branch] = field(default_factory=list)
    about: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.own + sum(child.total for child in self.children)

    @property
    def name(self) -> str:
        return self.slug.rsplit("/", 1)[-1]


def tree(session: Session, counted: ColumnElement[bool] | None = None) -> list[Branch]:
    """Every collection, fonds first, in path order, with the items `counted` (all of them,
    restricted too, by default)."""
    query = select(Item.collection_id, func.count()).group_by(Item.collection_id)
    if counted is not None:
        query = query.where(counted)
    counts = dict(session.execute(query).all())  # a Result has keys(): dict() needs the rows
    branches: dict[int, Branch] = {}
    parents: dict[int, int | None] = {}
    for row in session.scalars(select(Collection).order_by(Collection.slug)):
        about = {"scope": row.scope or {}, "dates": row.dates, "creator": row.creator}
        about |= {"extent_units": row.extent_units, "extent_metres": row.extent_metres}
        branches[row.id] = Branch(
            row.slug, row.level, dict(row.title or {}), counts.get(row.id, 0), about=about
        )
        parents[row.id] = row.parent_id
    top = []
    for key, branch in branches.items():
        parent = parents[key]
        (branches[parent].children if parent in branches else top).append(branch)
    return top


def as_dict(session: Session, found: Collection) -> dict[str, Any]:
    """The collection as `archive collection show --json` prints it."""
    below = _below(session, found.slug)
    items = session.scalar(select(func.count(Item.id)).where(Item.collection_id.in_(below)))
    return {
        "slug": found.slug,
        "level": found.level,
        "parent": found.parent.slug if found.parent else None,
        "title": dict(found.title),
        "scope": dict(found.scope),
        "dates": found.dates,
        "creator": found.creator,
        "extent_units": found.extent_units,
        "extent_metres": found.extent_metres,
        "children": sorted(child.slug for child in found.children),
        "items": items,
    }


def create(work: UnitOfWork, slug: str, title: dict[str, str]) -> Collection:
    """A new collection at `slug` (its parent must exist), titled `title`."""
    session = work.session
    slug = slug.strip().strip("/")
    if session.scalar(select(Collection.id).where(Collection.slug == slug)) is not None:
        raise InvalidInput(f"collection {slug!r} exists already")
    parent = slug.rpartition("/")[0]
    if parent:
        find(session, parent)
    made = collection(session, slug)
    made.title = _title(title or {"vi": slug.rsplit("/", 1)[-1]})
    session.flush()
    work.record(made.slug, "created", None, {"title": made.title}, kind="collection")
    return made


def _title(title: dict[str, str]) -> dict[str, str]:
    found = {lang: _text("title", value) for lang, value in title.items() if value.strip()}
    for lang in found:
        _check_lang("title", lang)
    if not found:
        raise InvalidInput("a collection has a title: give one")
    return found


# One change to a collection: (field, old, new), language maps named with their language.
FieldChange = tuple[str, Any, Any]


def describe(work: UnitOfWork, slug: str, assignments: dict[str, str]) -> list[FieldChange]:
    """Set fields from FIELD=VALUE pairs (`title_vi`, `scope_en`, `dates`, `creator`,
    `extent_units`, `extent_metres`); an empty VALUE clears. Raises InvalidInput, changing
    nothing, on any fault; returns what changed."""
    found = find(work.session, slug)
    changes = [_change(found, name.strip(), value) for name, value in assignments.items()]
    changes = [change for change in changes if change[1] != change[2]]
    for name, _old, new in changes:
        key, _, lang = name.partition("_") if name.startswith(MAPPED) else (name, "", "")
        if lang:
            values = {k: v for k, v in getattr(found, key).items() if k != lang}
            setattr(found, key, values | ({lang: new} if new is not None else {}))
        else:
            setattr(found, name, new)
    if not found.title:
        raise InvalidInput("a collection keeps a title: give it another before clearing this one")
    for name, old, new in changes:
        work.record(found.slug, name, old, new, kind="collection")
    return changes


def _change(found: Collection, name: str, raw: str) -> FieldChange:
    """(name, old, new) for one assignment, the new value checked."""
    value = nfc(raw.strip())
    key, _, lang = name.partition("_")
    if key in MAPPED and lang:
        _check_lang(name, lang)
        return name, getattr(found, key).get(lang), _text(key, value) if value else None
    if name in MAPPED:
        raise InvalidInput(f"{name}: name its language ({name}_vi, {name}_en)")
    if name not in SINGLE:
        guess = nearest(name, [f"{k}_vi" for k in MAPPED] + list(SINGLE))
        hint = f"; did you mean {guess!r}?" if guess else ""
        raise InvalidInput(f"unknown collection field {name!r}{hint}")
    return name, getattr(found, name), _value(name, value) if value else None


def _check_lang(name: str, lang: str) -> None:
    if not LANGUAGE_KEY.match(lang):
        raise InvalidInput(f"{name}: {lang!r} is not a language code (vi, en, bdq)")


def _text(key: str, value: str) -> str:
    if len(value) > MAX_TEXT[key]:
        raise InvalidInput(f"{key} is longer than {MAX_TEXT[key]} characters")
    return value


def _value(name: str, value: str) -> Any:
    if name == "dates":
        try:
            edtf.year_range(value)
        except InvalidInput as error:
            raise InvalidInput(f"dates: {error}") from None
        return _text(name, value)
    if name == "creator":
        return _text(name, value)
    try:
        number = int(value) if name == "extent_units" else float(value.replace(",", "."))
    except ValueError:
        kind = "a whole number" if name == "extent_units" else "a number of metres (2.5)"
        raise InvalidInput(f"{name} {value!r} is not {kind}") from None
    if number < 0 or number != number or number > 1e9:
        raise InvalidInput(f"{name} {value!r} cannot be negative or so large")
    return number


def rename(work: UnitOfWork, slug: str, name: str) -> Collection:
    """Give the collection a new last part of its path (those below it follow)."""
    found = find(work.session, slug)
    name = name.strip()
    if not _is_slug(name) or not name:
        raise InvalidInput(f"name {name!r}: lowercase letters, digits and hyphens")
    parent = found.slug.rpartition("/")[0]
    _reslug(work, found, f"{parent}/{name}" if parent else name)
    return found


def move(work: UnitOfWork, slug: str, parent_slug: str) -> Collection:
    """Put the collection under `parent_slug` ("" or "/": at the top, a fonds)."""
    session = work.session
    found = find(session, slug)
    parent_slug = parent_slug.strip().strip("/")
    parent = find(session, parent_slug) if parent_slug else None
    if parent is not None and (parent.slug + "/").startswith(found.slug + "/"):
        raise InvalidInput(
            f"{found.slug!r} cannot go under {parent.slug!r}: that is itself or below it"
        )
    depth = (parent.slug.count("/") + 1 if parent else 0) + _height(session, found)
    if depth > len(COLLECTION_LEVELS):
        raise InvalidInput(
            f"{found.slug!r} under {parent_slug or 'the top'!r} would be {depth} levels deep; "
            f"the tree has {len(COLLECTION_LEVELS)} ({', '.join(COLLECTION_LEVELS)})"
        )
    name = found.slug.rsplit("/", 1)[-1]
    old_parent = found.parent.slug if found.parent else None
    found.parent = parent
    if old_parent != (parent.slug if parent else None):
        work.record(found.slug, "parent", old_parent, parent.slug if parent else None, "collection")
    _reslug(work, found, f"{parent.slug}/{name}" if parent else name)
    return found


def _height(session: Session, found: Collection) -> int:
    """Levels from the collection down to its deepest collection, itself counted."""
    slugs = session.scalars(select(Collection.slug).where(_under(found.slug)))
    return (
        max((s.count("/") for s in slugs), default=found.slug.count("/"))
        + 1
        - (found.slug.count("/"))
    )


def _under(slug: str):
    return (Collection.slug == slug) | Collection.slug.startswith(slug + "/", autoescape=True)


def _below(session: Session, slug: str) -> list[int]:
    return list(session.scalars(select(Collection.id).where(_under(slug))))


def _reslug(work: UnitOfWork, found: Collection, new: str) -> None:
    """`found` and those below it take paths under `new`, and levels by their depth; their items
    are indexed again."""
    session, old = work.session, found.slug
    if new == old:
        return
    if session.scalar(select(Collection.id).where(Collection.slug == new)) is not None:
        raise InvalidInput(f"collection {new!r} exists already")
    moving = list(session.scalars(select(Collection).where(_under(old))))
    for each in moving:
        each.slug = new + each.slug[len(old) :]
        each.level = COLLECTION_LEVELS[each.slug.count("/")]
    work.record(old, "slug", old, new, kind="collection")
    keys = [each.id for each in moving]
    for item in session.scalars(select(Item).where(Item.collection_id.in_(keys))):
        work.changed(item)
    session.flush()
