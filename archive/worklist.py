"""What waits for a person: pages whose machine reading the engine was unsure of, pages whose
reading failed, automatic tags no one has reviewed, items whose title is only the name of their
file, items with no date. The staff dashboard lists them a page at a time, with counts. Each
list is chosen by the database (never by reading every item here), so that it stays quick over
tens of thousands of items."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from archive.models import Item, Master, Page, PageText, Tag

LIMIT = 50  # rows of each page of a list; the counts are of all


@dataclass(frozen=True)
class Row:
    accession_id: str
    title: dict[str, str]
    page: int | None = None
    detail: str | float | int | None = None  # a confidence, a reason, a count of tags


@dataclass(frozen=True)
class Listed:
    count: int
    rows: list[Row]
    page: int = 1  # of LIMIT rows, from 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // LIMIT))


def _offset(page: int) -> int:
    return (max(1, page) - 1) * LIMIT


def unsure_pages(session: Session, below: float, page: int = 1) -> Listed:
    """Pages whose current text is a machine reading of mean confidence under `below` (0-100),
    least sure first. A page a person transcribed is no longer the machine's."""
    newer = aliased(PageText)
    person = aliased(PageText)
    current = (
        select(PageText.page_id, PageText.confidence)
        .where(
            PageText.confidence < below,
            ~exists().where(newer.page_id == PageText.page_id, newer.version > PageText.version),
            ~exists().where(person.page_id == PageText.page_id, person.source == "person"),
        )
        .subquery()
    )
    query = (
        select(Item.accession_id, Item.title, Page.number, current.c.confidence)
        .join(Page, Page.item_id == Item.id)
        .join(current, current.c.page_id == Page.id)
    )
    count = session.scalar(select(func.count()).select_from(current))
    query = query.order_by(current.c.confidence, Item.id, Page.number)
    rows = session.execute(query.limit(LIMIT).offset(_offset(page)))
    return Listed(count, [Row(a, t, n, round(c, 1)) for a, t, n, c in rows], page)


def failed_pages(session: Session, page: int = 1) -> Listed:
    """Pages whose OCR failed, with the reason."""
    query = (
        select(Item.accession_id, Item.title, Page.number, Page.ocr_error)
        .join(Page, Page.item_id == Item.id)
        .where(Page.ocr_status == "failed")
    )
    count = session.scalar(select(func.count()).where(Page.ocr_status == "failed"))
    rows = session.execute(query.order_by(Item.id, Page.number).limit(LIMIT).offset(_offset(page)))
    return Listed(count, [Row(a, t, n, e) for a, t, n, e in rows], page)


def unreviewed_tags(session: Session, page: int = 1) -> Listed:
    """Items with automatic tags no person has reviewed, and how many each has; the count is of
    the tags."""
    waiting = (Tag.source == "auto", Tag.review.is_(None))
    count = session.scalar(select(func.count()).select_from(Tag).where(*waiting))
    rows = session.execute(
        select(Item.accession_id, Item.title, func.count(Tag.id))
        .join(Tag, Tag.item_id == Item.id)
        .where(*waiting)
        .group_by(Item.id)
        .order_by(Item.id)
        .limit(LIMIT)
        .offset(_offset(page))
    )
    return Listed(count, [Row(a, t, None, n) for a, t, n in rows], page)


def undated(session: Session, page: int = 1) -> Listed:
    """Items with no date."""
    count = session.scalar(select(func.count()).where(Item.date.is_(None)))
    rows = session.execute(
        select(Item.accession_id, Item.title)
        .where(Item.date.is_(None))
        .order_by(Item.id)
        .limit(LIMIT)
        .offset(_offset(page))
    )
    return Listed(count, [Row(a, t) for a, t in rows], page)


def file_named(session: Session, page: int = 1) -> Listed:
    """Items whose only title is the name of their file (or folder of pages), with or without
    its extension, as ingest gives an item nothing else names."""
    query = (
        select(Item.accession_id, Item.title)
        .join(Page, and_(Page.item_id == Item.id, Page.number == 1))
        .join(Master, Master.id == Page.master_id)
        .where(_file_named(session.get_bind().dialect.name))
    )
    count, rows = _paged(session, query.order_by(Item.id), page)
    return Listed(count, [Row(a, t) for a, t in rows], page)


def _paged(session: Session, query, page: int) -> tuple[int, list]:
    """The count of the query's rows and those of the page, its filter worked out once: the
    count comes with each row (a window over them all), or alone past the last page."""
    counted = query.add_columns(func.count().over()).limit(LIMIT).offset(_offset(page))
    rows = session.execute(counted).all()
    if rows:
        return rows[0][-1], [row[:-1] for row in rows]
    return session.scalar(select(func.count()).select_from(query.subquery())), []


def _file_named(dialect: str) -> ColumnElement[bool]:
    """The title's one value is the name of the page's master file, its stem or the name of its
    folder (Path.name, .stem, .parent.name), in SQL: a path's last part is what is left once
    its folders are taken away, and they are what trimming every other character from its end
    leaves (SQLite and PostgreSQL alike have rtrim with characters, and replace)."""
    each = func.json_each_text if dialect == "postgresql" else func.json_each
    values = each(Item.title).table_valued("value")
    title = (
        select(func.min(values.c.value))
        .select_from(values)
        .having(func.count() == 1)
        .scalar_subquery()
    )
    path = func.replace(Master.original_path, "\\", "/")
    name = _last_part(path, "/")
    folder = _last_part(func.rtrim(_leading(path, "/"), "/"), "/")
    stem = func.rtrim(_leading(name, "."), ".")
    # that the path holds the title at all is quick to ask, and rules out most items
    return and_(Master.original_path.contains(title), title.in_([name, stem, folder]))


def _leading(text, mark: str):
    """`text` up to its last `mark`, the mark kept ('' when it has none)."""
    return func.rtrim(text, func.replace(text, mark, ""))


def _last_part(text, mark: str):
    """What follows the last `mark` in `text` (all of it when it has none)."""
    return func.replace(text, _leading(text, mark), "")
