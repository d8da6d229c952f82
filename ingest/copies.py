"""Copies of one content, among the units of a run, that sidecars describe differently. Which
description would their item take? Neither: every copy fails, naming the others and their rows,
before any of them is stored. So does every copy of a content whose sidecar row was refused, lest
an undescribed copy catalogue it meanwhile.

Found cheaply: only units whose files have the same sizes are compared, first by their first and
last 64 kB, then in full; a run with no sidecars reads nothing here. (A copy that no sidecar
describes gives the item the description of the one that a sidecar does: `ingest.register`.)"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any

from archive.storage import sha256_of
from ingest.discover import Unit

EDGE = 64 * 1024


def settle(units: list[Unit]) -> list[Unit]:
    """`units`, with the copies that sidecars describe differently failed, each with why."""
    if not any(u.description is not None or u.sidecar_error for u in units):
        return units
    suspects = [_needs_a_look(g) for g in _groups(units, _sizes) if len(g) > 1]
    suspects = [g for g in suspects if g]
    for quick in (_edges, _content):
        suspects = [g for s in suspects for g in _groups(s, quick) if _needs_a_look(g)]
    reasons = {id(unit): _reason(unit, group) for group in suspects for unit in group}
    return [
        dataclasses.replace(u, sidecar_error=reasons[id(u)])
        if id(u) in reasons and not u.sidecar_error
        else u
        for u in units
    ]


def _needs_a_look(group: list[Unit]) -> list[Unit]:
    """The group when its units, were they one content, would be catalogued wrongly: two
    descriptions, or a refused one beside another copy."""
    said: list[Any] = []
    for unit in group:
        if unit.sidecar_error:
            return group if len(group) > 1 else []
        if unit.description is not None and unit.description.fields not in said:
            said.append(unit.description.fields)
    return group if len(said) > 1 else []


def _groups(units: Iterable[Unit], key: Callable[[Unit], Hashable | None]) -> list[list[Unit]]:
    by: dict[Hashable, list[Unit]] = defaultdict(list)
    for unit in units:
        found = key(unit)
        if found is not None:  # unreadable here: its own read step will say why
            by[found].append(unit)
    return list(by.values())


def _sizes(unit: Unit) -> tuple[int, ...] | None:
    try:
        return tuple(os.stat(path).st_size for path in unit.files)
    except OSError:
        return None


def _edges(unit: Unit) -> tuple[bytes, ...] | None:
    try:
        return tuple(_edge_digest(path) for path in unit.files)
    except OSError:
        return None


def _edge_digest(path: Path) -> bytes:
    with open(path, "rb") as handle:
        head = handle.read(EDGE)
        handle.seek(max(0, os.fstat(handle.fileno()).st_size - EDGE))
        return hashlib.sha256(head + handle.read(EDGE)).digest()


def _content(unit: Unit) -> str | None:
    """The content hash `ingest.pipeline.Prepared` gives the unit."""
    try:
        hashes = [sha256_of(path) for path in unit.files]
    except OSError:
        return None
    if not unit.compound:
        return hashes[0]
    return hashlib.sha256("\n".join(hashes).encode()).hexdigest()


def _reason(unit: Unit, group: list[Unit]) -> str:
    others = [other for other in group if other is not unit]
    named = "; ".join(f"{other.name} ({_said(other)})" for other in others[:3])
    more = f" and {len(others) - 3} more" if len(others) > 3 else ""
    return (
        f"the same content as {named}{more}, described differently ({_said(unit)} here): "
        "give the copies one description, or keep one copy, and run again"
    )


def _said(unit: Unit) -> str:
    if unit.sidecar_error:
        return "its sidecar row was refused"
    return unit.described_by or "no sidecar"
