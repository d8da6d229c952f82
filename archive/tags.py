"""Tags on items: automatic ones from the vocabularies' rules, and people's, which always win. A
tag a person removed is kept as removed, so no later automatic pass puts it back; an automatic tag
a person reviewed (accepted or rejected) keeps its source and evidence, and the rules leave it
alone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive import items, tagging, texts
from archive.errors import InvalidInput
from archive.fields import nearest
from archive.models import Item, Tag

if TYPE_CHECKING:
    from archive.work import UnitOfWork

Vocabularies = dict[str, dict[str, Any]]


def auto_tag(item: Item, vocabularies: Vocabularies, threshold: float) -> list[str]:
    """Bring the item's automatic tags in line with what the rules suggest now; returns what
    changed, as `+vocabulary:term` and `-vocabulary:term`."""
    suggested = tagging.suggest(
        vocabularies,
        fields=texts.item_fields(item),
        latitude=item.latitude,
        longitude=item.longitude,
        year_start=item.year_start,
        year_end=item.year_end,
        threshold=threshold,
    )
    found = {(s.vocabulary, s.term): s for s in suggested}
    current = {(t.vocabulary, t.term): t for t in item.tags}
    changed = []
    for key, tag in current.items():
        if tag.source == "auto" and tag.review is None and key not in found:
            item.tags.remove(tag)  # the rules no longer say so (a vocabulary changed)
            changed.append(f"-{key[0]}:{key[1]}")
    for key, suggestion in found.items():
        tag = current.get(key)
        if tag is None:
            tag = Tag(vocabulary=key[0], term=key[1], source="auto")
            item.tags.append(tag)
            changed.append(f"+{key[0]}:{key[1]}")
        if tag.source == "auto" and tag.review is None:
            tag.score, tag.evidence = round(suggestion.score, 3), suggestion.evidence
    return changed


def retag_all(work: UnitOfWork) -> int:
    """Run the rules over every item again at the end of `work` (after a vocabulary changed);
    returns how many items. `work.committed.retagged` then says whose tags changed and how."""
    count = 0
    for item in work.session.scalars(select(Item).order_by(Item.id)):
        work.retag(item)
        count += 1
    return count


def parse(label: str, vocabularies: Vocabularies) -> tuple[str, str]:
    """`CRC`, or `convention:CRC` where a term id stands in several vocabularies; in any case
    (`crc`). An unknown one is refused with the nearest known tag."""
    vocabulary, sep, term = label.partition(":")
    if sep:
        name = _match(vocabulary, vocabularies)
        found = _match(term, vocabularies.get(name, {})) if name else None
        if found is None:
            raise InvalidInput(
                f"no term {term!r} in vocabulary {vocabulary!r}" + _hint(label, vocabularies)
            )
        return name, found
    found = [(name, t) for name, concepts in vocabularies.items() if (t := _match(label, concepts))]
    if not found:
        raise InvalidInput(f"no vocabulary has the term {label!r}" + _hint(label, vocabularies))
    if len(found) > 1:
        names = ", ".join(name for name, _ in found)
        raise InvalidInput(f"{label!r} is in {names}: name one, as {found[0][0]}:{found[0][1]}")
    return found[0]


def _match(word: str, known: dict[str, Any]) -> str | None:
    """The key of `known` that is `word`, in any case."""
    if word in known:
        return word
    folded = [key for key in known if key.casefold() == word.casefold()]
    return folded[0] if len(folded) == 1 else None


def _hint(label: str, vocabularies: Vocabularies) -> str:
    terms = [term for concepts in vocabularies.values() for term in concepts]
    qualified = [f"{name}:{term}" for name, concepts in vocabularies.items() for term in concepts]
    guess = nearest(label, qualified if ":" in label else terms)
    return f"; did you mean {guess!r}?" if guess else ""


def person_tag(work: UnitOfWork, accession_id: str, add: list[str], remove: list[str]) -> Item:
    """A person's +TAG and -TAG: they override the automatic tags and are never undone by them."""
    item = items.find(work.session, accession_id)
    before = labels(item)
    current = {(t.vocabulary, t.term): t for t in item.tags}
    pairs = [(label, False) for label in add] + [(label, True) for label in remove]
    for label, removed in pairs:
        key = parse(label, work.archive.vocabularies)
        tag = current.get(key)
        if tag is None:
            tag = current[key] = Tag(vocabulary=key[0], term=key[1])
            item.tags.append(tag)
        tag.source, tag.removed, tag.score, tag.review = "person", removed, None, None
        action = "removed" if removed else "added"
        tag.evidence = {"rule": "person", "by": work.by, "action": action}
    work.changed(item)
    work.record(item.accession_id, "tags", before, labels(item))
    return item


REVIEWS = ("accepted", "rejected")


def review(work: UnitOfWork, accession_id: str, label: str, verdict: str) -> Tag:
    """A person's verdict on an automatic tag: `accepted` keeps it for good, `rejected` removes
    it for good (no later pass of the rules, `tag --retag` included, puts it back)."""
    if verdict not in REVIEWS:
        raise InvalidInput(f"a review is one of {', '.join(REVIEWS)}, not {verdict!r}")
    item = items.find(work.session, accession_id)
    key = parse(label, work.archive.vocabularies)
    tag = next((t for t in item.tags if (t.vocabulary, t.term) == key), None)
    if tag is None or tag.source != "auto":
        raise InvalidInput(f"{accession_id} has no automatic tag {key[0]}:{key[1]}")
    before = tag.review or "automatic"
    tag.review, tag.removed = verdict, verdict == "rejected"
    work.changed(item)
    work.record(item.accession_id, f"tag {key[0]}:{key[1]}"[:60], before, verdict)
    return tag


def review_state(tag: Tag) -> str:
    """`automatic` (not reviewed), `accepted`, `rejected`, or `person` (a person's own tag)."""
    return "person" if tag.source == "person" else tag.review or "automatic"


def unreviewed(session: Session) -> int:
    """How many automatic tags no person has reviewed yet."""
    query = select(func.count()).select_from(Tag)
    return session.scalar(query.where(Tag.source == "auto", Tag.review.is_(None)))


def labels(item: Item) -> list[str]:
    """The item's tags as `vocabulary:term`, removed ones left out, sorted."""
    return sorted(f"{t.vocabulary}:{t.term}" for t in item.tags if not t.removed)


def usage(session: Session) -> dict[tuple[str, str], int]:
    """How many items carry each tag (removed ones not counted)."""
    rows = session.execute(
        select(Tag.vocabulary, Tag.term, func.count())
        .where(Tag.removed.is_(False))
        .group_by(Tag.vocabulary, Tag.term)
    )
    return {(vocabulary, term): count for vocabulary, term, count in rows}
