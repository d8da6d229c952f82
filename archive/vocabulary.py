"""Controlled vocabularies: the concepts items are tagged with, one YAML file per vocabulary
(SKOS-like), read from the shipped folder or from a province's own.

A file `NAME.yaml` holds the vocabulary NAME:

    label: {vi: "Địa bàn", en: "Districts"}       # optional
    note: "Bounding boxes are approximate."      # optional
    concepts:
      - id: dak-to                               # stable, ASCII: letters, digits, hyphens
        pref: {vi: "Huyện Đắk Tô", en: "Đắk Tô District"}   # vi is required
        alt: {vi: ["Đăk Tô"], en: ["Dak To"]}
        phrases:                                 # what indicates the concept in a text
          vi: ["huyện Đắk Tô", {text: "Đắk Tô", weight: 0.5}]   # weight 0 < w <= 1, default 1
          en: ["Dak To District"]
        exclude: ["xã Đắk Tô Kan"]               # longer phrases in which a match does not count
        broader: some-id                         # a concept of the same file
        bbox: [14.55, 107.72, 14.85, 107.90]     # south, west, north, east (decimal degrees)
        note: "..."

Every mistake is reported as a ConfigError with file:line and the reason, because a typo in a
province's vocabulary would otherwise silently tag nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from archive.concepts import Concept, Phrase
from archive.errors import ConfigError
from archive.tagging import DECADE, contains, phrase_keys

SHIPPED = Path(__file__).parent / "vocabularies"

_ID = re.compile(r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_FILE_KEYS = ("label", "note", "concepts")
_CONCEPT_KEYS = ("id", "pref", "alt", "phrases", "exclude", "broader", "bbox", "note")
_PHRASE_KEYS = ("text", "weight")
# libyaml's parser where PyYAML was built with it: ten times faster on these files
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def load(folder: Path | None = None) -> dict[str, dict[str, Concept]]:
    """Vocabulary name -> concept id -> Concept, from every *.yaml file of the folder (by default
    the vocabularies shipped with the archive)."""
    folder = SHIPPED if folder is None else Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder of vocabularies")
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not files:
        raise ConfigError(f"{folder}: no vocabulary files (*.yaml) in the folder")
    vocabularies: dict[str, dict[str, Concept]] = {}
    for path in files:
        if path.stem in vocabularies:
            raise ConfigError(f"{path}:1: a second file for the vocabulary {path.stem!r}")
        vocabularies[path.stem] = _File(path).read()
    return vocabularies


class _File:
    """One vocabulary file, read from YAML's node tree so every error can name its line."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.stem

    def error(self, node: Node | None, reason: str) -> ConfigError:
        line = node.start_mark.line + 1 if node is not None else 1
        return ConfigError(f"{self.path}:{line}: {reason}")

    def read(self) -> dict[str, Concept]:
        if not _NAME.match(self.name):
            raise self.error(None, f"the file name {self.name!r} must be lowercase ASCII words")
        if self.name == DECADE:
            raise self.error(None, f"{DECADE!r} is the date rule's vocabulary; rename the file")
        top = self.mapping(self.compose(), "the file", _FILE_KEYS)
        if "label" in top:
            self.labels(top["label"][1], "label")
        if "concepts" not in top:
            raise self.error(None, "the file has no 'concepts' list")
        items = top["concepts"][1]
        if not isinstance(items, SequenceNode):
            raise self.error(items, "'concepts' must be a list of concepts")
        read = [self.concept(node) for node in items.value]
        concepts = self.unique(read)
        self.check_broader(concepts, {c.id: nodes for c, nodes in read})
        return concepts

    def compose(self) -> Node:
        try:
            text = self.path.read_text(encoding="utf-8")
            node = yaml.compose(text, Loader=_LOADER)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = mark.line + 1 if mark else 1
            raise ConfigError(f"{self.path}:{line}: not valid YAML: {e.problem or e.context}")
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            raise ConfigError(f"{self.path}:1: cannot be read: {e}")
        if node is None:
            raise self.error(None, "the file is empty")
        return node

    # -- shapes -------------------------------------------------------------------------------

    def mapping(self, node: Node, what: str, allowed: tuple[str, ...] | None) -> dict:
        """key -> (key node, value node); an unknown or repeated key is an error (typos)."""
        if not isinstance(node, MappingNode):
            raise self.error(node, f"{what} must be a mapping")
        found: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else None
            if not isinstance(name, str):
                raise self.error(key, f"a key of {what} must be text")
            if name in found:
                raise self.error(key, f"{name!r} is given twice in {what}")
            if allowed is not None and name not in allowed:
                raise self.error(
                    key, f"unknown key {name!r} in {what}; the keys are: {', '.join(allowed)}"
                )
            found[name] = (key, value)
        return found

    def text(self, node: Node, what: str) -> str:
        # The scalar as written, so 'No' or '1975' stay text rather than becoming False or 1975.
        if not isinstance(node, ScalarNode) or not node.value.strip():
            raise self.error(node, f"{what} must be some text")
        return node.value.strip()

    def texts(self, node: Node, what: str) -> list[str]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, f"{what} must be a list")
        return [self.text(item, what) for item in node.value]

    def number(self, node: Node, what: str) -> float:
        if not isinstance(node, ScalarNode) or node.tag not in _NUMBER_TAGS:
            raise self.error(node, f"{what} must be a number")
        return float(node.value.replace("_", ""))

    def by_language(self, node: Node, what: str) -> dict[str, Node]:
        found = self.mapping(node, what, None)
        for lang, (key, _) in found.items():
            if not _LANG.match(lang):
                raise self.error(key, f"{lang!r} in {what} is not a language code such as vi, en")
        return {lang: value for lang, (_, value) in found.items()}

    def labels(self, node: Node, what: str) -> dict[str, str]:
        return {lang: self.text(v, what) for lang, v in self.by_language(node, what).items()}

    # -- a concept ----------------------------------------------------------------------------

    def concept(self, node: Node) -> tuple[Concept, dict[str, tuple[Node, Node]]]:
        keys = self.mapping(node, "a concept", _CONCEPT_KEYS)
        if "id" not in keys:
            raise self.error(node, "a concept has no id")
        cid = self.text(keys["id"][1], "id")
        if not _ID.match(cid):
            raise self.error(keys["id"][1], f"id {cid!r} must be ASCII letters, digits, hyphens")
        if "pref" not in keys:
            raise self.error(node, f"concept {cid} has no pref label")
        pref = self.labels(keys["pref"][1], "pref")
        if "vi" not in pref:
            raise self.error(keys["pref"][1], f"concept {cid} has no Vietnamese pref label (vi)")
        value = {k: v for k, (_, v) in keys.items()}
        phrases = self.phrases(value["phrases"]) if "phrases" in value else ()
        exclude = self.exclude(value["exclude"], phrases) if "exclude" in value else ()
        concept = Concept(
            id=cid,
            vocabulary=self.name,
            pref=pref,
            alt=self.alt(value["alt"]) if "alt" in value else {},
            phrases=phrases,
            exclude=exclude,
            broader=self.text(value["broader"], "broader") if "broader" in value else None,
            bbox=self.bbox(value["bbox"]) if "bbox" in value else None,
            note=self.text(value["note"], "note") if "note" in value else None,
        )
        return concept, keys

    def alt(self, node: Node) -> dict[str, list[str]]:
        return {lang: self.texts(v, "alt") for lang, v in self.by_language(node, "alt").items()}

    def phrases(self, node: Node) -> tuple[Phrase, ...]:
        found = []
        for lang, items in self.by_language(node, "phrases").items():
            if not isinstance(items, SequenceNode):
                raise self.error(items, f"phrases.{lang} must be a list")
            found.extend(self.phrase(item, lang) for item in items.value)
        return tuple(found)

    def phrase(self, node: Node, lang: str) -> Phrase:
        weight = 1.0
        if isinstance(node, MappingNode):
            keys = self.mapping(node, "a phrase", _PHRASE_KEYS)
            if "text" not in keys:
                raise self.error(node, "a phrase needs its text")
            if "weight" in keys:
                weight = self.number(keys["weight"][1], "weight")
                if not 0 < weight <= 1:
                    raise self.error(keys["weight"][1], f"weight {weight} must be > 0 and <= 1")
            node = keys["text"][1]
        text = self.text(node, "a phrase")
        if not phrase_keys(text):
            raise self.error(node, f"the phrase {text!r} has no letters or digits")
        return Phrase(text, weight, lang)

    def exclude(self, node: Node, phrases: tuple[Phrase, ...]) -> tuple[str, ...]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, "exclude must be a list")
        keys = [phrase_keys(p.text) for p in phrases]
        found = []
        for item in node.value:
            text = self.text(item, "an exclude phrase")
            longer = phrase_keys(text)
            # An exclude that holds none of the phrases can never apply: most likely a typo.
            if not any(len(longer) > len(k) and contains(longer, k) for k in keys):
                raise self.error(
                    item,
                    f"exclude {text!r} holds none of the concept's phrases, so it never applies",
                )
            found.append(text)
        return tuple(found)

    def bbox(self, node: Node) -> tuple[float, float, float, float]:
        shape = "bbox must be [south, west, north, east] in decimal degrees"
        if not isinstance(node, SequenceNode) or len(node.value) != 4:
            raise self.error(node, shape)
        south, west, north, east = (self.number(n, shape) for n in node.value)
        if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
            raise self.error(node, f"{shape}, south < north within ±90 and west < east within ±180")
        return south, west, north, east

    # -- the whole file -----------------------------------------------------------------------

    def unique(self, read: list[tuple[Concept, dict]]) -> dict[str, Concept]:
        concepts: dict[str, Concept] = {}
        lines: dict[str, int] = {}
        for concept, keys in read:
            id_node = keys["id"][1]
            if concept.id in concepts:
                raise self.error(
                    id_node, f"id {concept.id!r} is used twice (first on line {lines[concept.id]})"
                )
            concepts[concept.id] = concept
            lines[concept.id] = id_node.start_mark.line + 1
        return concepts

    def check_broader(self, concepts: dict[str, Concept], nodes: dict[str, dict]) -> None:
        for concept in concepts.values():
            if concept.broader is None:
                continue
            node = nodes[concept.id]["broader"][1]
            if concept.broader not in concepts:
                raise self.error(node, f"broader {concept.broader!r} is no concept of {self.name}")
            seen, current = {concept.id}, concepts[concept.broader]
            while current is not None:
                if current.id in seen:
                    raise self.error(node, f"broader of {concept.id} goes round in a circle")
                seen.add(current.id)
                current = concepts.get(current.broader) if current.broader else None
