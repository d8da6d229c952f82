"""An exhibition's life: a draft until published, then published (upcoming, open or closed, by
its dates) until archived.

The definition files in the archive home's `exhibitions/` are the curators' drafts, whoever
wrote them (the workspace's editor or a text editor). Publishing checks a file and, only when it
has no problem, keeps its text as the published version (`PublishedExhibition`) and builds its
IIIF files; the public sees that text until the next publication, so a file edited into a broken
state (or one whose item has since been restricted) never takes an exhibition down: the staff's
list says why the file cannot be published.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from string import Template

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.errors import InvalidInput, NotFound
from archive.home import Archive
from archive.models import PublishedExhibition, utcnow
from exhibitions import definition, publish
from exhibitions.definition import Exhibition, Problem

DRAFT = "draft"


def folder(archive: Archive) -> Path:
    """Where the definitions live: `exhibitions/` in the archive home."""
    return archive.home / "exhibitions"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_text(path: Path) -> str:
    """A definition file's text (UTF-8, with or without BOM); InvalidInput when unreadable."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}:1: the file is not UTF-8 text; save it as UTF-8") from None
    except OSError as error:
        raise InvalidInput(f"{path}:1: the file cannot be read: {error.strerror}") from None


def inspect(archive: Archive, text: str, path: Path) -> tuple[Exhibition | None, list[Problem]]:
    """Every problem of a definition's text, its structure and its items together."""
    with archive.session() as session:
        return definition.inspect(text, path, lambda ids: definition.item_facts(session, ids))


@dataclass
class Status:
    """One exhibition as the staff's list shows it."""

    slug: str
    file: str  # its name in `exhibitions/` ("" when the file is gone)
    state: str  # draft | published | archived
    exhibition: Exhibition | None  # the draft when it reads, else the published version
    problems: list[Problem] = field(default_factory=list)  # of the file
    changed: bool = False  # the file differs from the published version
    published: PublishedExhibition | None = None

    @property
    def when(self) -> str:
        """upcoming, open or closed, for a published one by its published dates; else ''."""
        if self.state != publish.PUBLISHED or self.published is None:
            return ""
        shown = publish.published_version(self.published)
        return timing(shown, date.today()) if shown else ""


def timing(exhibition: Exhibition, today: date) -> str:
    """`upcoming`, `open` or `closed`; one without dates is open."""
    start, end = exhibition.start, exhibition.end or exhibition.start
    if start is not None and start > today:
        return "upcoming"
    if end is not None and end < today:
        return "closed"
    return "open"


def statuses(archive: Archive) -> list[Status]:
    """Every definition file, and every published exhibition whose file is gone; by slug."""
    with archive.session() as session:
        rows = {row.file: row for row in session.scalars(select(PublishedExhibition))}
    found = []
    for path in sorted(folder(archive).glob("*.yaml")):
        found.append(_status(archive, path, rows.pop(path.name, None)))
    for row in rows.values():  # published, its file since removed: still public
        shown = publish.published_version(row)
        found.append(Status(row.slug, "", row.state, shown, published=row))
    return sorted(found, key=lambda s: s.slug)


def _status(archive: Archive, path: Path, row: PublishedExhibition | None) -> Status:
    try:
        text = read_text(path)
    except InvalidInput as error:
        problem = Problem(str(path.name), 1, str(error).split(": ", 2)[-1])
        text, found, problems = "", None, [problem]
    else:
        found, problems = inspect(archive, text, Path(path.name))
    if row is None:
        return Status(found.id if found else path.stem, path.name, DRAFT, found, problems)
    shown = found if found is not None else publish.published_version(row)
    changed = digest(text) != row.digest
    return Status(row.slug, path.name, row.state, shown, problems, changed, row)


def status(archive: Archive, slug: str) -> Status:
    for found in statuses(archive):
        if found.slug == slug:
            return found
    raise NotFound(f"no exhibition {slug}")


def publish_file(archive: Archive, path: Path, by: str | None) -> tuple[Exhibition, list[Path]]:
    """Check the definition in `path` and, when it has no problem, make its text the published
    version and build its IIIF files; InvalidInput listing every problem otherwise (the version
    published before, if any, stays). A file from elsewhere is copied into `exhibitions/`."""
    text = read_text(path)
    exhibition, problems = inspect(archive, text, path)
    if problems or exhibition is None:
        listed = "\n".join(str(problem) for problem in problems)
        raise InvalidInput(f"{listed}\n{count_problems(len(problems))} in {path}: not published")
    name = f"{exhibition.id}.yaml"
    home_copy = folder(archive) / name
    if Path(path).resolve() != home_copy.resolve():
        if Path(path).resolve().parent == folder(archive).resolve():
            name = Path(path).name  # a file named otherwise in the folder keeps its name
        else:
            home_copy.write_text(text, encoding="utf-8")
    with archive.change("exhibition publish", by) as work:
        row = work.session.get(PublishedExhibition, exhibition.id)
        before = row.digest if row else None
        if row is None:
            row = PublishedExhibition(slug=exhibition.id, visitors=None)
            work.session.add(row)
        row.state, row.definition, row.digest, row.file = (
            publish.PUBLISHED,
            text,
            digest(text),
            name,
        )
        row.published_at, row.published_by = utcnow(), work.by
        work.record(exhibition.id, "published", before, row.digest, kind="exhibition")
    written = publish.build(archive, exhibition, archive.home / "iiif")
    publish.log_published(archive)
    return exhibition, written


def _published(session: Session, slug: str) -> PublishedExhibition:
    row = session.get(PublishedExhibition, slug)
    if row is None:
        raise NotFound(f"{slug} has never been published")
    return row


def set_state(archive: Archive, slug: str, state: str, by: str | None) -> None:
    """Archive a published exhibition (off the public site) or publish its version again."""
    with archive.change(f"exhibition {state}", by) as work:
        row = _published(work.session, slug)
        if row.state != state:
            work.record(slug, "state", row.state, state, kind="exhibition")
            row.state = state
    publish.log_published(archive)


def set_visitors(archive: Archive, slug: str, visitors: int | None, by: str | None) -> None:
    """The count of visitors at the venue, entered once the exhibition has closed."""
    if visitors is not None and visitors < 0:
        raise InvalidInput("the count of visitors cannot be negative")
    with archive.change("exhibition visitors", by) as work:
        row = _published(work.session, slug)
        if row.visitors != visitors:
            work.record(slug, "visitors", row.visitors, visitors, kind="exhibition")
            row.visitors = visitors


def new(archive: Archive, slug: str) -> Path:
    """Write a commented template for the exhibition `slug` into `exhibitions/`; never over an
    existing file."""
    if not definition.SLUG.match(slug):
        raise InvalidInput(f"{slug!r}: lowercase letters, digits and hyphens, such as ky-niem-2025")
    path = folder(archive) / f"{slug}.yaml"
    if path.exists():
        raise InvalidInput(f"{path} exists already")
    template = (Path(__file__).parent / "templates" / "new.yaml").read_text(encoding="utf-8")
    text = Template(template).substitute(slug=slug, today=date.today().isoformat())
    folder(archive).mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def count_problems(count: int) -> str:
    """`1 problem`, `2 problems` (English; the CLI speaks English)."""
    return f"{count} problem" + ("" if count == 1 else "s")
