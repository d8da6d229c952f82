"""The text of pages: machine readings (OCR, PDF text layers, put on pages by
`archive.readings`) and people's transcriptions, each kept as a version; the newest is the page's
current text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import items
from archive.errors import InvalidInput
from archive.fields import nfc
from archive.models import Item, Page, PageText

if TYPE_CHECKING:
    from archive.work import UnitOfWork


def transcribe(work: UnitOfWork, accession_id: str, number: int, text: str) -> PageText:
    """A person's corrected transcription of a page; the machine text stays, as an earlier
    version."""
    page = find_page(work.session, accession_id, number)
    text = nfc(text).strip()
    if not text:
        raise InvalidInput("the transcription is empty")
    current = page.text
    version = PageText(
        version=len(page.texts) + 1,
        source="person",
        text=text,
        language=current.language if current else None,
        engine=work.by,
        words=[],
        width=page.width,
        height=page.height,
    )
    page.texts.append(version)
    text_changed(work, page, current)
    return version


def text_changed(work: UnitOfWork, page: Page, before: PageText | None) -> None:
    """A page's current text is another now: its item is indexed and tagged again, and the
    audit names the versions (the texts themselves are all kept)."""
    item = page.item
    work.changed(item)
    work.retag(item)
    after = page.text
    work.record(item.accession_id, f"text p.{page.number}", _version(before), _version(after))


def _version(text: PageText | None) -> dict | None:
    return None if text is None else {"version": text.version, "source": text.source}


def find_page(session: Session, accession_id: str, number: int) -> Page:
    item = items.find(session, accession_id)
    for page in item.pages:
        if page.number == number:
            return page
    raise InvalidInput(f"{accession_id} has pages 1 to {len(item.pages)}, not {number}")


def pages_to_read(session: Session, accession_ids: list[str], failed_only: bool) -> list[Page]:
    """Pages to OCR again: those of the named items, or every page whose OCR failed."""
    query = select(Page).join(Item).order_by(Item.id, Page.number)
    if failed_only:
        query = query.where(Page.ocr_status == "failed")
    if accession_ids:
        for accession_id in accession_ids:
            items.find(session, accession_id)  # an unknown id is an error, not an empty run
        query = query.where(Item.accession_id.in_(accession_ids))
    return list(session.scalars(query))


def item_fields(item: Item) -> list[tuple[str, int | None, str]]:
    """The texts of an item that tagging reads: its description fields and every page's text."""
    fields: list[tuple[str, int | None, str]] = []
    for key in ("title", "description"):
        fields += [(key, None, value) for value in getattr(item, key).values()]
    fields += [("subject", None, subject) for subject in item.subjects]
    fields += [("text", page.number, page.text.text) for page in item.pages if page.text]
    return fields
