"""A plan the archive reports progress against (`archive report --plan FILE`): its sections, the
themes counted, the language classes and the target bands. Data, as the vocabularies are: the
shipped `plans/kh-1297.yaml` is Kon Tum's plan 1297/KH-UBND, and another province or plan writes
its own file. Every mistake in a file is a ConfigError naming the file, the key and the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from archive.errors import ConfigError

SHIPPED = Path(__file__).parent / "plans" / "kh-1297.yaml"
SECTIONS = ("digitised", "online", "languages", "themes", "exhibitions", "use")
TARGETED = ("digitised", "online")  # the sections whose share may have a band
_TOP_KEYS = ("id", "title", "issuer", "period", "sections", "themes", "languages", "targets")
_CODE = re.compile(r"^[a-z]{2,3}$")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

LanguageMap = dict[str, str]
Band = tuple[float, float]


@dataclass(frozen=True)
class Themes:
    vocabulary: str
    terms: tuple[str, ...] | None  # None: every term of the vocabulary


@dataclass(frozen=True)
class LanguageClass:
    id: str
    label: LanguageMap
    codes: frozenset[str]


@dataclass(frozen=True)
class LanguageTarget:
    label: LanguageMap
    classes: tuple[str, ...]
    band: Band


@dataclass(frozen=True)
class Plan:
    id: str
    title: LanguageMap
    issuer: LanguageMap
    start: date
    end: date
    sections: tuple[str, ...]
    themes: tuple[Themes, ...]
    classes: tuple[LanguageClass, ...]
    language_target: LanguageTarget | None
    targets: dict[str, Band]

    def language_class(self, code: str) -> str | None:
        """The class of a language code (`bdq`, `vi`, `en-GB`), or None when no class has it."""
        base = code.split("-")[0].lower()
        return next((c.id for c in self.classes if base in c.codes), None)


def load(path: Path | None = None) -> Plan:
    """The plan in `path` (by default the shipped one); ConfigError on any mistake."""
    path = SHIPPED if path is None else Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise ConfigError(f"{path}: the plan cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the plan is not UTF-8 text") from None
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f":{where.line + 1}" if where else ""
        raise ConfigError(f"{path}{line}: not YAML: {getattr(error, 'problem', error)}") from None
    return _Reader(path).plan(data)


class _Reader:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, reason: str) -> ConfigError:
        return ConfigError(f"{self.path}: {key}: {reason}")

    def plan(self, data: Any) -> Plan:
        top = self.mapping(data, "the plan", _TOP_KEYS, ("id", "title", "languages"))
        start, end = self.period(top.get("period", {}))
        classes = self.classes(top["languages"])
        return Plan(
            id=self.slug(top["id"], "id"),
            title=self.language_map(top["title"], "title"),
            issuer=self.language_map(top.get("issuer", {"vi": ""}), "issuer"),
            start=start,
            end=end,
            sections=self.sections(top.get("sections", list(SECTIONS))),
            themes=tuple(self.themes(top.get("themes", []))),
            classes=classes,
            language_target=self.language_target(top["languages"], classes),
            targets=self.targets(top.get("targets", {})),
        )

    def mapping(self, value: Any, key: str, allowed: tuple, required: tuple = ()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key, f"should be a mapping of {', '.join(allowed)}")
        for name in value:
            if name not in allowed:
                raise self.fail(key, f"unknown key {name!r}; the keys are {', '.join(allowed)}")
        for name in required:
            if name not in value:
                raise self.fail(key, f"{name} is missing")
        return value

    def slug(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            raise self.fail(key, f"{value!r} is not an id (lowercase letters, digits, hyphens)")
        return value

    def language_map(self, value: Any, key: str) -> LanguageMap:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(key, 'should be texts by language, as {vi: "…", en: "…"}')
        if "vi" not in value:
            raise self.fail(key, "needs its Vietnamese text (vi)")
        return {str(lang): text for lang, text in value.items()}

    def period(self, value: Any) -> tuple[date, date]:
        found = self.mapping(value, "period", ("from", "to"))
        start = found.get("from", date(2023, 1, 1))
        end = found.get("to", date(2028, 12, 31))
        for name, day in (("from", start), ("to", end)):
            if not isinstance(day, date):
                raise self.fail(f"period.{name}", f"{day!r} is not a date (2023-01-01)")
        if end < start:
            raise self.fail("period", f"ends ({end}) before it starts ({start})")
        return start, end

    def sections(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("sections", f"should be a list of some of {', '.join(SECTIONS)}")
        for name in value:
            if name not in SECTIONS:
                raise self.fail("sections", f"no section {name!r}; they are {', '.join(SECTIONS)}")
        return tuple(dict.fromkeys(value))

    def themes(self, value: Any):
        if not isinstance(value, list):
            raise self.fail("themes", "should be a list of {vocabulary: NAME, terms: [...]}")
        for n, entry in enumerate(value, 1):
            key = f"themes[{n}]"
            found = self.mapping(entry, key, ("vocabulary", "terms"), ("vocabulary",))
            terms = found.get("terms", "all")
            if terms != "all" and not (
                isinstance(terms, list) and terms and all(isinstance(t, str) for t in terms)
            ):
                raise self.fail(f"{key}.terms", "should be `all` or a list of term ids")
            name = found["vocabulary"]
            if not isinstance(name, str):
                raise self.fail(f"{key}.vocabulary", "should be a vocabulary's name")
            yield Themes(name, None if terms == "all" else tuple(terms))

    def classes(self, value: Any) -> tuple[LanguageClass, ...]:
        found = self.mapping(value, "languages", ("classes", "target"), ("classes",))
        if not isinstance(found["classes"], list) or not found["classes"]:
            raise self.fail("languages.classes", "should be a list of classes")
        classes, seen = [], {}
        for n, entry in enumerate(found["classes"], 1):
            key = f"languages.classes[{n}]"
            entry = self.mapping(entry, key, ("id", "label", "codes"), ("id", "label", "codes"))
            codes = entry["codes"]
            if not isinstance(codes, list) or not codes:
                raise self.fail(f"{key}.codes", "should be a list of language codes")
            for code in codes:
                if not isinstance(code, str) or not _CODE.match(code):
                    raise self.fail(f"{key}.codes", f"{code!r} is not a language code (bdq, vi)")
                if code in seen:
                    raise self.fail(f"{key}.codes", f"{code} is in the class {seen[code]} too")
                seen[code] = entry["id"]
            made = LanguageClass(
                self.slug(entry["id"], f"{key}.id"),
                self.language_map(entry["label"], f"{key}.label"),
                frozenset(codes),
            )
            classes.append(made)
        return tuple(classes)

    def language_target(self, value: dict, classes) -> LanguageTarget | None:
        if "target" not in value:
            return None
        key = "languages.target"
        found = self.mapping(value["target"], key, ("label", "classes", "band"), ("classes",))
        names = {c.id for c in classes}
        chosen = found["classes"]
        if not isinstance(chosen, list) or not chosen or not set(chosen) <= names:
            raise self.fail(f"{key}.classes", f"should name some of {', '.join(sorted(names))}")
        label = self.language_map(found.get("label", {"vi": ", ".join(chosen)}), f"{key}.label")
        return LanguageTarget(label, tuple(chosen), self.band(found.get("band"), f"{key}.band"))

    def band(self, value: Any, key: str) -> Band:
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            or not 0 <= value[0] <= value[1] <= 100
        ):
            raise self.fail(key, f"{value!r} is not a band of per cent, as [15, 20]")
        return float(value[0]), float(value[1])

    def targets(self, value: Any) -> dict[str, Band]:
        found = self.mapping(value, "targets", TARGETED)
        return {name: self.band(band, f"targets.{name}") for name, band in found.items()}
