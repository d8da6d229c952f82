"""The concepts of the controlled vocabularies, as `archive.vocabulary` reads them from YAML and
`archive.tagging` matches them in a document."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Phrase:
    text: str
    weight: float = 1.0
    lang: str = "vi"


@dataclass(frozen=True)
class Concept:
    id: str
    vocabulary: str
    pref: dict[str, str] = field(hash=False)
    alt: dict[str, list[str]] = field(default_factory=dict, hash=False)
    phrases: tuple[Phrase, ...] = ()
    exclude: tuple[str, ...] = ()
    broader: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    note: str | None = None

    def label(self, lang: str = "vi") -> str:
        return self.pref.get(lang) or self.pref["vi"]
