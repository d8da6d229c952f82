"""What the public may see, read for the online catalogue: public items only, always. Every
query here filters on access first, so a restricted item cannot leak through a count, a list or
a record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, defer, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from archive.collections import Branch, tree
from archive.errors import NotFound
from archive.items import described
from archive.models import Collection, Item, Master, Page, PageText, Tag

PUBLIC = Item.shown  # public, and not withdrawn (archive.withdrawal)
MAX_PER_PAGE = 100


def item(session: Session, accession_id: str) -> Item:
    """A public item with its pages, texts and tags; NotFound for any other id."""
    query = (
        select(Item)
        .where(Item.accession_id == accession_id, PUBLIC)
        .options(
            selectinload(Item.pages).selectinload(Page.texts),
            selectinload(Item.pages).selectinload(Page.master),
            selectinload(Item.tags),
            selectinload(Item.collection),
        )
    )
    found = session.scalar(query)
    if found is None:
        raise NotFound(f"no item {accession_id}")
    return found


def items(
    session: Session, page: int = 1, per_page: int = 20, collection: str | None = None
) -> tuple[int, list[Item]]:
    """(total, one page of public items), newest accession first; optionally within a
    collection and those below it."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    query = select(Item).where(PUBLIC)
    if collection:
        query = query.join(Collection, Item.collection_id == Collection.id).where(
            (Collection.slug == collection)
            | Collection.slug.startswith(collection + "/", autoescape=True)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(Item.id.desc())
        .offset((max(1, page) - 1) * per_page)
        .limit(per_page)
        .options(selectinload(Item.collection), selectinload(Item.pages))
    )
    return total, list(rows)


def recent(session: Session, limit: int = 8) -> list[Item]:
    return items(session, 1, limit)[1]


@dataclass
class Holdings:
    """What the archive holds, as the home page shows it."""

    items: int
    pages: int
    by_type: dict[str, int]
    by_decade: dict[int, int]  # 1970 -> items whose year range starts in the 1970s


def holdings(session: Session) -> Holdings:
    by_type = dict(
        session.execute(select(Item.type, func.count()).where(PUBLIC).group_by(Item.type)).all()
    )
    decade = (Item.year_start // 10) * 10
    by_decade = dict(
        session.execute(
            select(decade, func.count())
            .where(PUBLIC, Item.year_start.is_not(None))
            .group_by(decade)
            .order_by(decade)
        ).all()
    )
    pages = session.scalar(select(func.count(Page.id)).join(Item).where(PUBLIC))
    return Holdings(sum(by_type.values()), pages or 0, by_type, by_decade)


def collections(session: Session) -> list[Branch]:
    """The tree of collections holding public items (fonds first), each with its counts."""
    return _pruned(tree(session, PUBLIC))


def _pruned(nodes: list[Branch]) -> list[Branch]:
    """Only collections with public items in or below them: an empty or wholly restricted
    series does not show (its name alone would tell of what is held back)."""
    kept = []
    for node in nodes:
        node.children = _pruned(node.children)
        if node.total:
            kept.append(node)
    return kept


def find_collection(session: Session, slug: str) -> Branch:
    def walk(nodes: list[Branch]) -> Branch | None:
        for node in nodes:
            if node.slug == slug:
                return node
            found = walk(node.children)
            if found:
                return found
        return None

    found = walk(collections(session))
    if found is None:
        raise NotFound(f"no collection {slug}")
    return found


def record(item: Item) -> dict[str, Any]:
    """The public record of an item, as the JSON API gives it: descriptive fields, pages (with
    their text) and tags; nothing of where masters are kept or how they came in."""
    return {
        **described(item),
        "collection": item.collection.slug if item.collection else None,
        "pages": [
            {
                "number": page.number,
                "width": page.width,
                "height": page.height,
                "text": page.text.text if page.text else None,
                "language": page.text.language if page.text else None,
            }
            for page in item.pages
        ],
        "tags": sorted(f"{t.vocabulary}:{t.term}" for t in item.tags if not t.removed),
        "created_at": item.created_at.isoformat() + "Z",
        "updated_at": item.updated_at.isoformat() + "Z",
    }


@dataclass(frozen=True)
class Listed:
    """What a list (search results) shows of a public item, and of the page it opens at."""

    accession_id: str
    type: str
    title: dict[str, str]
    date: str | None
    page: int | None  # None: the item has no such page
    sha256: str | None  # the page's master
    frame: int

    @classmethod
    def of(cls, item: Item, number: int) -> Listed:
        """The same, of an item already read with its pages and their masters."""
        page = next((p for p in item.pages if p.number == number), None)
        shown = (number, page.master.sha256, page.frame) if page else (None, None, 0)
        return cls(item.accession_id, item.type, item.title, item.date, *shown)


def listed(session: Session, wanted: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Listed]:
    """The public items named, each with the page it opens at, by (id, page number): the
    columns a list shows, in one query, where loading whole items with every page of a long
    document and its master took as long as the search that found them. An id of any other
    item is absent."""
    wanted = set(wanted)
    numbers = {number for _, number in wanted}
    query = (
        select(
            Item.accession_id, Item.type, Item.title, Item.date, Page.number, Master.sha256,
            Page.frame,
        )
        .outerjoin(Page, (Page.item_id == Item.id) & Page.number.in_(numbers))
        .outerjoin(Master, Page.master_id == Master.id)
        .where(Item.accession_id.in_({accession for accession, _ in wanted}), PUBLIC)
    )  # fmt: skip
    rows: dict[str, list] = {}
    for row in session.execute(query):
        rows.setdefault(row.accession_id, []).append(row)
    found = {}
    for accession, number in wanted:
        for row in rows.get(accession, ()):
            if row.number in (number, None):
                found[accession, number] = Listed(*row[:4], row.number, row.sha256, row.frame or 0)
    return found


def by_ids(session: Session, accession_ids: Iterable[str]) -> dict[str, Item]:
    """The public items named, with their pages, the pages' masters and their collection, by
    id; an id of any other item is absent. Search hits are read back through this, so an item
    restricted since it was indexed is not shown."""
    query = (
        select(Item)
        .where(Item.accession_id.in_(set(accession_ids)), PUBLIC)
        .options(
            selectinload(Item.pages).selectinload(Page.master),
            selectinload(Item.collection),
        )
    )
    return {found.accession_id: found for found in session.scalars(query)}


# The item page's queries, built once: SQLAlchemy then finds their compiled SQL by the same
# statement each time instead of working its key out again, and the pages and tags are read by
# statements of their own rather than by eager loaders, which build theirs anew every time.
_ITEM = (
    select(Item)
    .where(Item.accession_id == bindparam("accession_id"), PUBLIC)
    .options(joinedload(Item.collection))
)
_PAGES = (
    select(Page)
    .where(Page.item_id == bindparam("item_id"))
    .options(joinedload(Page.master))
    .order_by(Page.number)
)
_TAGS = select(Tag).where(Tag.item_id == bindparam("item_id"))
_PAGE_TEXTS = (
    select(PageText)
    .join(Page, PageText.page_id == Page.id)
    .join(Item, Page.item_id == Item.id)
    .where(PageText.page_id == bindparam("page_id"), PUBLIC)
    .options(defer(PageText.words, raiseload=True))
    .order_by(PageText.version)
)


_ANY_PAGE_IMAGE = (
    select(Master.sha256, Page.frame)
    .join(Page, Page.master_id == Master.id)
    .join(Item, Page.item_id == Item.id)
    .where(Item.accession_id == bindparam("accession_id"), Page.number == bindparam("number"))
)
_PAGE_IMAGE = _ANY_PAGE_IMAGE.where(PUBLIC)


def page_image(
    session: Session, accession_id: str, number: int, public_only: bool = True
) -> tuple[str, int] | None:
    """(master's SHA-256, frame) of a page of a public item, which name its IIIF images; None
    for any other. One row: a viewer asks for dozens of tiles, and each is checked. Staff
    (`public_only=False`) see every item's pages, restricted and withdrawn ones too."""
    query = _PAGE_IMAGE if public_only else _ANY_PAGE_IMAGE
    row = session.execute(query, {"accession_id": accession_id, "number": number}).first()
    return (row.sha256, row.frame) if row is not None else None


def shown(session: Session, accession_id: str) -> Item | None:
    """A public item as its page shows it: its collection, pages with their masters, and tags,
    in three queries; None for any other id. The pages' texts are not read: the page shows
    one page's (`page_texts`)."""
    item = session.scalar(_ITEM, {"accession_id": accession_id})
    if item is None:
        return None
    found = {"item_id": item.id}
    set_committed_value(item, "pages", list(session.scalars(_PAGES, found)))
    set_committed_value(item, "tags", list(session.scalars(_TAGS, found)))
    return item


def page_texts(session: Session, page_id: int) -> list[PageText]:
    """The readings of one page of a public item, oldest first, without their word boxes (a
    page of OCR holds thousands, and only Content Search reads them)."""
    return list(session.scalars(_PAGE_TEXTS, {"page_id": page_id}))


def total(session: Session) -> int:
    """How many public items there are."""
    return session.scalar(select(func.count(Item.id)).where(PUBLIC)) or 0


def changes(
    session: Session, offset: int = 0, limit: int | None = None
) -> list[tuple[str, datetime]]:
    """(accession id, last change) of public items in accession order, in one query: what a
    sitemap lists."""
    query = (
        select(Item.accession_id, Item.updated_at).where(PUBLIC).order_by(Item.id).offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [(row.accession_id, row.updated_at) for row in session.execute(query)]
