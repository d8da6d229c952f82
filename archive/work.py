"""The one way the archive is changed: a unit of work.

Every write to what the archive holds (ingest's registration, `archive item set|text|tag`,
pages read again, re-tagging, images made again, and the workspace's edits) is made inside a
`UnitOfWork`. Its session is the change; the services note on it which items they changed and
what each field was before and after. When the block ends without an error, in the one
transaction: the items whose tagged text changed are tagged again, the audit entries are
written (who, when, what, before -> after), what the public sees change is logged for
harvesters (`archive.published`), and the count of changes the catalogue keys its
pages by is raised. Once committed, the archive's subscribers are told which items changed (the
search index, wired where the application is assembled: the core imports none of them). An
error anywhere rolls all of it back and tells no one.

The ingest journal (runs and what they did with each input) is bookkeeping about the archive,
not part of it, and is written beside units of work, not through them.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, update

from archive import published, tags
from archive.models import AuditEntry, AuditUnit, Change, Item, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from archive.home import Archive


@dataclass(frozen=True)
class Committed:
    """What a committed unit of work changed, as its subscribers are told."""

    action: str
    by: str
    items: frozenset[str]  # accession ids of the items whose record changed
    removed: frozenset[str] = frozenset()  # accession ids of items deleted
    # the items whose automatic tags the rules changed: `+vocabulary:term`, `-vocabulary:term`
    retagged: dict[str, list[str]] = field(default_factory=dict)


Subscriber = Callable[[Committed], None]


def who() -> str:
    """The person a change is credited to when none is named: the login name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        return os.environ.get("USER") or "unknown"


class UnitOfWork:
    """One change to the archive, committed whole or not at all; made by `Archive.change`. Once
    the block has ended, `committed` says what it changed."""

    def __init__(self, archive: Archive, session: Session, action: str, by: str):
        self.archive, self.session, self.action, self.by = archive, session, action, by
        self.committed: Committed | None = None
        self._changed: dict[int, Item] = {}  # by id(): new items have no key before a flush
        self._retag: dict[int, Item] = {}
        self._removed: set[str] = set()
        self._entries: list[dict[str, Any]] = []

    def changed(self, item: Item) -> None:
        """`item`'s record changed: the search index is to learn it."""
        self._changed[id(item)] = item

    def retag(self, item: Item) -> None:
        """A text the tagging rules read changed: `item`'s automatic tags are worked out again
        at commit (and the index learns of it when they change)."""
        self._retag[id(item)] = item

    def removed(self, accession_id: str) -> None:
        self._removed.add(accession_id)

    def record(self, target: str, field: str, before: Any, after: Any, kind: str = "item") -> None:
        """An audit entry: `field` of the `kind` named `target` went from `before` to `after`
        (plain JSON values)."""
        self._entries.append(
            {"kind": kind, "target": target, "field": field, "before": before, "after": after}
        )

    def finish(self) -> None:
        """What a change brings with it, in its transaction: tags, the audit, the count."""
        threshold = self.archive.settings["tag_threshold"]
        retagged = {}
        for key, item in self._retag.items():
            before = tags.labels(item)
            found = tags.auto_tag(item, self.archive.vocabularies, threshold)
            if found:
                retagged[item.accession_id] = found
                self._changed[key] = item
                self.record(item.accession_id, "tags", before, tags.labels(item))
        if self._entries:
            self._write_audit()
        # what harvesters are told changed, in the same transaction as the change
        published.log_items(self.session, self._changed.values(), self._removed)
        if self._entries or self._changed or self._removed:
            self.session.execute(
                update(Change).where(Change.id == 1).values(count=Change.count + 1)
            )
        self.committed = Committed(
            self.action,
            self.by,
            frozenset(item.accession_id for item in self._changed.values()),
            frozenset(self._removed),
            retagged,
        )

    def _write_audit(self) -> None:
        unit = AuditUnit(at=utcnow(), by=self.by, action=self.action)
        self.session.add(unit)
        self.session.flush()  # the unit's key, and the accession ids of new items
        self.session.execute(
            insert(AuditEntry), [{"unit_id": unit.id, **entry} for entry in self._entries]
        )
