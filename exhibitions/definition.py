"""A curator's exhibition definition, as read from its YAML file.

Every part remembers the line it was written on, so a problem can be reported as `file:line`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

KINDS = ("photo", "archive")

LanguageMap = dict[str, str]  # {"vi": "…", "en": "…"}


@dataclass(frozen=True)
class Entry:
    """One item shown in a section, in the curator's order."""

    item: str  # accession id
    caption: LanguageMap = field(default_factory=dict)
    pages: tuple[int, ...] = ()  # 1-based page numbers to show, in order; empty: every page
    line: int = 0


@dataclass(frozen=True)
class Section:
    title: LanguageMap
    text: LanguageMap = field(default_factory=dict)
    entries: tuple[Entry, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Exhibition:
    id: str  # slug: lowercase letters, digits, hyphens
    kind: str  # photo | archive
    title: LanguageMap
    summary: LanguageMap = field(default_factory=dict)
    partner: LanguageMap = field(default_factory=dict)
    venue: LanguageMap = field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    curators: tuple[str, ...] = ()
    rights: str = ""
    attribution: LanguageMap = field(default_factory=dict)
    access: str = "public"  # public | restricted: a public exhibition shows public items only
    sections: tuple[Section, ...] = ()
    path: Path | None = None  # the file it was read from

    def entries(self) -> list[Entry]:
        return [entry for section in self.sections for entry in section.entries]
