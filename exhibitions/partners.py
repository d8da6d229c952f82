"""The organisations exhibitions are made with, as curators choose them in the editor: a list
they keep themselves (the migration that made it starts it with the Ministry, the province's
departments and its museum). Every change is a unit of work, audited (kind `partner`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.errors import InvalidInput, NotFound
from archive.models import Partner
from archive.work import UnitOfWork

MAX_NAME = 255


def listing(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).order_by(Partner.name_vi)))


def _names(name_vi: str, name_en: str) -> tuple[str, str]:
    name_vi, name_en = " ".join(name_vi.split()), " ".join(name_en.split())
    if not name_vi:
        raise InvalidInput("the Vietnamese name is needed")
    if len(name_vi) > MAX_NAME or len(name_en) > MAX_NAME:
        raise InvalidInput(f"a name is at most {MAX_NAME} characters")
    return name_vi, name_en


def add(work: UnitOfWork, name_vi: str, name_en: str) -> Partner:
    name_vi, name_en = _names(name_vi, name_en)
    if work.session.scalar(select(Partner).where(Partner.name_vi == name_vi)):
        raise InvalidInput(f"{name_vi} is in the list already")
    partner = Partner(name_vi=name_vi, name_en=name_en)
    work.session.add(partner)
    work.record(name_vi, "partner", None, {"vi": name_vi, "en": name_en}, kind="partner")
    return partner


def rename(work: UnitOfWork, partner_id: int, name_vi: str, name_en: str) -> None:
    partner = work.session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"no partner {partner_id}")
    name_vi, name_en = _names(name_vi, name_en)
    before = {"vi": partner.name_vi, "en": partner.name_en}
    partner.name_vi, partner.name_en = name_vi, name_en
    work.record(name_vi, "partner", before, {"vi": name_vi, "en": name_en}, kind="partner")


def remove(work: UnitOfWork, partner_id: int) -> None:
    """Off the list; exhibitions that name it keep their text."""
    partner = work.session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"no partner {partner_id}")
    before = {"vi": partner.name_vi, "en": partner.name_en}
    work.session.delete(partner)
    work.record(partner.name_vi, "partner", before, None, kind="partner")
