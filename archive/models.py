"""The archive's records (SQLAlchemy 2.0). Schema changes go through Alembic migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {
        dict[str, Any]: JSON,
        list[str]: JSON,
        dict[str, str]: JSON,
        list[Any]: JSON,
    }


class Collection(Base):
    """A fonds, a series within it, or a file within a series."""

    __tablename__ = "collections"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)  # full path: fonds/series/file
    level: Mapped[str] = mapped_column(String(10))  # fonds | series | file
    title: Mapped[dict[str, str]] = mapped_column(default=dict)  # language map
    # The description an archivist gives it (archive.collections): scope and content (a
    # language map), its dates (EDTF), its creator, and its extent in units and in linear
    # metres, the denominators of a report of what has been digitised.
    scope: Mapped[dict[str, str]] = mapped_column(default=dict)
    dates: Mapped[str | None] = mapped_column(String(40))
    creator: Mapped[str | None] = mapped_column(Text)
    extent_units: Mapped[int | None] = mapped_column(Integer)
    extent_metres: Mapped[float | None] = mapped_column(Float)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("collections.id"))
    parent: Mapped[Collection | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Collection]] = relationship(back_populates="parent")


class Item(Base):
    """One catalogued thing: a photo, or a document with pages."""

    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    accession_id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(10))  # photo | document
    # sha256 of the single master, or of the ordered page hashes of a compound document:
    # the same content offered twice is one item.
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(
        default=dict
    )  # language map {"vi": ..., "en": ...}
    description: Mapped[dict[str, str]] = mapped_column(default=dict)
    date: Mapped[str | None] = mapped_column(String(40))  # EDTF, as written
    year_start: Mapped[int | None] = mapped_column(Integer, index=True)
    year_end: Mapped[int | None] = mapped_column(Integer)
    creator: Mapped[str | None] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    subjects: Mapped[list[str]] = mapped_column(default=list)
    rights: Mapped[str] = mapped_column(String(200))  # a rights statement URI
    rights_note: Mapped[str | None] = mapped_column(Text)  # free text, e.g. an EXIF copyright
    # public | restricted; no index: two values, one of them nearly everywhere (see 0003)
    access: Mapped[str] = mapped_column(String(10))
    languages: Mapped[list[str]] = mapped_column(default=list)  # ISO 639-3 codes
    technical: Mapped[dict[str, Any]] = mapped_column(default=dict)  # camera, date taken, ...
    collection_id: Mapped[int | None] = mapped_column(ForeignKey("collections.id"), index=True)
    collection: Mapped[Collection | None] = relationship()
    # Withdrawn from the public (archive.withdrawal): when, by whom and why. The record and its
    # masters are kept; the public gets 410 Gone with the title, the reason and the citation.
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    pages: Mapped[list[Page]] = relationship(
        back_populates="item", order_by="Page.number", cascade="all, delete-orphan"
    )
    tags: Mapped[list[Tag]] = relationship(back_populates="item", cascade="all, delete-orphan")

    @hybrid_property
    def shown(self) -> bool:
        """Public and not withdrawn: what the public may see at all, on an item as in a query."""
        return self.access == "public" and self.withdrawn_at is None

    @shown.inplace.expression
    @classmethod
    def _shown_expression(cls) -> ColumnElement[bool]:
        return and_(cls.access == "public", cls.withdrawn_at.is_(None))


class Master(Base):
    """A preserved original file, stored read-only under its SHA-256."""

    __tablename__ = "masters"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(60))
    original_path: Mapped[str] = mapped_column(Text)  # NFC, as first ingested
    original_name: Mapped[str] = mapped_column(Text)
    stored_path: Mapped[str] = mapped_column(Text)  # relative to the archive home
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Page(Base):
    """One page (or the one image) of an item: a frame of a master."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("item_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1-based, in reading order
    master_id: Mapped[int] = mapped_column(ForeignKey("masters.id"), index=True)
    frame: Mapped[int] = mapped_column(Integer, default=0)  # page within a multi-page master
    width: Mapped[int | None] = mapped_column(Integer)  # pixels; PDF pages as rendered at 300 dpi
    height: Mapped[int | None] = mapped_column(Integer)
    # OCR: None (not asked for, as for most photos) | done | failed; the reason when it failed
    ocr_status: Mapped[str | None] = mapped_column(String(10), index=True)
    ocr_error: Mapped[str | None] = mapped_column(Text)
    rotation: Mapped[int] = mapped_column(Integer, default=0)  # degrees clockwise to read upright
    item: Mapped[Item] = relationship(back_populates="pages")
    master: Mapped[Master] = relationship()
    texts: Mapped[list[PageText]] = relationship(
        back_populates="page", order_by="PageText.version", cascade="all, delete-orphan"
    )

    @property
    def text(self) -> PageText | None:
        """The current reading: a person's newest transcription when there is one (a later OCR
        run does not displace it), else the newest machine reading."""
        people = [t for t in self.texts if t.source == "person"]
        return (people or self.texts or [None])[-1]


class PageText(Base):
    """One reading of a page: OCR, a PDF's own text layer, or a person's transcription. Earlier
    versions are kept; the newest is the current one."""

    __tablename__ = "page_texts"
    __table_args__ = (UniqueConstraint("page_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))  # ocr | pdf-text | person
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))  # detected, ISO 639-1
    confidence: Mapped[float | None] = mapped_column(Float)  # mean word confidence, 0-100
    ocr_languages: Mapped[str | None] = mapped_column(String(40))  # as asked of Tesseract
    engine: Mapped[str | None] = mapped_column(String(60))  # "tesseract 5.3.0", a person's name
    words: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [text, x, y, w, h, conf]
    width: Mapped[int | None] = mapped_column(Integer)  # the page size the boxes refer to
    height: Mapped[int | None] = mapped_column(Integer)
    hocr_path: Mapped[str | None] = mapped_column(Text)  # relative to the archive home
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    page: Mapped[Page] = relationship(back_populates="texts")


class Tag(Base):
    """A term from a vocabulary on an item, with who put it there and why."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("item_id", "vocabulary", "term"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    vocabulary: Mapped[str] = mapped_column(String(40))
    term: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(10))  # auto | person
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    score: Mapped[float | None] = mapped_column(Float)
    removed: Mapped[bool] = mapped_column(default=False)  # a person removed it: never re-added
    # None: not reviewed | accepted | rejected (then also removed); the rules leave it alone
    review: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    item: Mapped[Item] = relationship(back_populates="tags")


class Source(Base):
    """Where an input file was seen, so a later run can skip it without hashing it again."""

    __tablename__ = "sources"
    # The absolute path's bytes, as the file system gives them: names that differ only in
    # Unicode normalisation, or that are not UTF-8, are different files (migration 0005).
    key: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    path: Mapped[str] = mapped_column(Text)  # the same, as text for people (ingest.names)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    item: Mapped[Item] = relationship()


class Counter(Base):
    """The last sequence number given out for an accession-id prefix and year."""

    __tablename__ = "counters"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)  # e.g. KT-2024
    value: Mapped[int] = mapped_column(Integer, default=0)


class Change(Base):
    """One row: a count the unit of work raises, in its transaction, with every change to what
    the catalogue shows (archive.work), on any database; the same for every process that reads
    it, so that a server's workers can share what they keep for it."""

    __tablename__ = "changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class AuditUnit(Base):
    """One committed change: who made it, when, and what they did (`item set`, `ingest`, ...).
    Its entries say what changed. Nothing edits or deletes these rows: a change is put back by
    another change."""

    __tablename__ = "audit_units"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    by: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    entries: Mapped[list[AuditEntry]] = relationship(
        back_populates="unit", order_by="AuditEntry.id"
    )


class AuditEntry(Base):
    """One field of one thing (an item by its accession id, a collection by its slug) before
    and after a change, as plain JSON values."""

    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("audit_units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # item | collection | exhibition | user
    target: Mapped[str] = mapped_column(String(200), index=True)
    field: Mapped[str] = mapped_column(String(60))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    unit: Mapped[AuditUnit] = relationship(back_populates="entries")


class IngestRun(Base):
    __tablename__ = "ingest_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # running | done | interrupted (killed or stopped by an error; found by the next run)
    status: Mapped[str] = mapped_column(String(12), default="running")
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    events: Mapped[list[IngestEvent]] = relationship(back_populates="run")


class IngestEvent(Base):
    """What one run did with one input: created, duplicate, unchanged, skipped or failed."""

    __tablename__ = "ingest_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id"), index=True)
    path: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(12))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    step: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[str]] = mapped_column(default=list)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    run: Mapped[IngestRun] = relationship(back_populates="events")


class User(Base):
    """A person of the staff, who signs in to the workspace. The password is kept only as a
    memory-hard hash (`archive.users`); nothing deletes an account: it is disabled."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # what they sign in with
    role: Mapped[str] = mapped_column(String(20))  # archive.roles: viewer | curator | ...
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    signed_in_at: Mapped[datetime | None] = mapped_column(DateTime)


class StaffSession(Base):
    """One signed-in browser. The browser holds a random key; only its SHA-256 is kept here, so
    a copy of the database signs no one in. Ended by signing out, by being idle longer than the
    setting allows, and by the user being disabled or given a new password."""

    __tablename__ = "staff_sessions"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[User] = relationship()


class SignInFailure(Base):
    """A failed sign-in, kept a short while: too many for one name or from one address in a
    while, and sign-in is refused there until they are old enough. Every server process reads
    the same rows."""

    __tablename__ = "sign_in_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    name: Mapped[str] = mapped_column(String(64), index=True)  # as typed, lower case
    address: Mapped[str] = mapped_column(String(64), index=True)


class PublicChange(Base):
    """One change the public sees (migration 0008): an item (or exhibition) made public
    (`create`), changed while public (`update`), or taken from the public (`delete`: withdrawn,
    or made restricted). The newest row of each (`latest`) is its state now; harvesters ask for
    rows after a time or after a row."""

    __tablename__ = "public_changes"
    __table_args__ = (Index("ix_public_changes_latest_id", "latest", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # item | exhibition
    target: Mapped[str] = mapped_column(String(200), index=True)  # accession id, or slug
    activity: Mapped[str] = mapped_column(String(10))  # create | update | delete
    at: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC, whole seconds
    latest: Mapped[bool] = mapped_column(default=True)


class PublishedExhibition(Base):
    """The version of an exhibition the public sees: the text of its definition as it was when
    last published (`exhibitions.lifecycle`). The file in the home's `exhibitions/` is the
    curators' draft; editing it changes nothing public until it is published again."""

    __tablename__ = "exhibitions"
    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))  # published | archived (off the public site)
    definition: Mapped[str] = mapped_column(Text)  # the YAML, as published
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of `definition`
    file: Mapped[str] = mapped_column(String(255))  # the file's name in `exhibitions/`
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_by: Mapped[str] = mapped_column(String(64))
    visitors: Mapped[int | None] = mapped_column(Integer)  # at the venue, entered afterwards


class Partner(Base):
    """An organisation exhibitions are made with, offered to curators to choose from."""

    __tablename__ = "partners"
    id: Mapped[int] = mapped_column(primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(255), unique=True)
    name_en: Mapped[str] = mapped_column(String(255))


class DailyViews(Base):
    """How many times a public address was seen on a day: a count, nothing about who saw it.
    `route` names the kind of page (`exhibition`), `key` the one seen (its slug)."""

    __tablename__ = "daily_views"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    route: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Job(Base):
    """One page's OCR or IIIF images, done by `archive worker` on any machine when the setting
    `broker_url` names a broker (`ingest.job_queue`). The broker carries only the job's id; its
    state is here, for `archive status`, and its tries, so that a page that kills its worker
    counts a try even though the worker could say nothing (migration 0012)."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    command: Mapped[str] = mapped_column(String(20))  # ingest | ocr | derivatives
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # ocr | images
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))  # the page's master when it was queued
    languages: Mapped[str | None] = mapped_column(String(40))  # for Tesseract (ocr jobs)
    # queued | running | done | failed; the reason when it failed
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(200))  # host and process of the last try
    # finished, and the search index has learnt of it: items are indexed a few at a time
    indexed: Mapped[bool] = mapped_column(default=False)
    queued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    page: Mapped[Page] = relationship()
