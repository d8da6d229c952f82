"""What waits for a person: pages whose machine reading the engine was unsure of, pages whose
reading failed, automatic tags no one has reviewed, items whose title is only the name of their
file, items with no date. The staff dashboard lists them, a page at most of each, with counts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from archive.models import Item, Master, Page, PageText, Tag

LIMIT = 50  # rows of each list; the counts are of all


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


def unsure_pages(session: Session, below: float) -> Listed:
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
    rows = session.execute(query.order_by(current.c.confidence, Item.id).limit(LIMIT))
    return Listed(count, [Row(a, t, n, round(c, 1)) for a, t, n, c in rows])


def failed_pages(session: Session) -> Listed:
    """Pages whose OCR failed, with the reason."""
    query = (
        select(Item.accession_id, Item.title, Page.number, Page.ocr_error)
        .join(Page, Page.item_id == Item.id)
        .where(Page.ocr_status == "failed")
    )
    count = session.scalar(select(func.count()).where(Page.ocr_status == "failed"))
    rows = session.execute(query.order_by(Item.id, Page.number).limit(LIMIT))
    return Listed(count, [Row(a, t, n, e) for a, t, n, e in rows])


def unreviewed_tags(session: Session) -> Listed:
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
    )
    return Listed(count, [Row(a, t, None, n) for a, t, n in rows])


def undated(session: Session) -> Listed:
    """Items with no date."""
    count = session.scalar(select(func.count()).where(Item.date.is_(None)))
    rows = session.execute(
        select(Item.accession_id, Item.title).where(Item.date.is_(None)).order_by(Item.id)
    )
    return Listed(count, [Row(a, t) for a, t in rows.fetchmany(LIMIT)])


def file_named(session: Session) -> Listed:
    """Items whose only title is the name of their file (or folder of pages), as ingest gives
    an item nothing else names."""
    rows = session.execute(
        select(Item.accession_id, Item.title, Master.original_path)
        .join(Page, Page.item_id == Item.id)
        .join(Master, Master.id == Page.master_id)
        .where(Page.number == 1)
        .order_by(Item.id)
    )
    found = [Row(a, t) for a, t, path in rows if _only_a_file_name(t, path)]
    return Listed(len(found), found[:LIMIT])


def _only_a_file_name(title: dict[str, str], path: str) -> bool:
    if len(title) != 1:
        return False
    file = PurePosixPath(path.replace("\\", "/"))
    return next(iter(title.values())) in (file.stem, file.name, file.parent.name)
