"""The one table of settings. Defaults, the documentation and validation all come from it.

Order of precedence: defaults -> archive.toml -> ARCHIVE_* environment -> an explicit mapping
(the tests' overrides).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    check: Callable[[Any], str | None] | None = None  # returns a complaint, or None when fine


def _positive(value: int) -> str | None:
    return None if value > 0 else "must be a positive whole number"


def _above_zero(value: float) -> str | None:
    return None if value > 0 else "must be more than 0"


def _not_negative(value: int) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def _prefix(value: str) -> str | None:
    ok = value.isascii() and value.isalnum() and value.isupper() and 1 <= len(value) <= 8
    return None if ok else "must be 1 to 8 capital letters or digits, such as KT"


def _languages(value: str) -> str | None:
    codes = value.split("+")
    ok = all(c.isascii() and c.isalpha() and c.islower() and len(c) == 3 for c in codes)
    return None if ok else "must be Tesseract language codes joined by +, such as vie+eng"


def _base_url(value: str) -> str | None:
    ok = value.startswith(("http://", "https://")) and not value.endswith("/") and " " not in value
    return None if ok else "must be an http:// or https:// address with no trailing slash"


def _email(value: str) -> str | None:
    name, at, domain = value.partition("@")
    ok = name and at and "." in domain.strip(".") and not any(c.isspace() for c in value)
    return None if ok else "must be an e-mail address, such as archivist@example.org"


def _broker_url(value: str) -> str | None:
    ok = not value or value.startswith(("redis://", "rediss://"))
    return None if ok else "must be empty or a redis:// address, such as redis://127.0.0.1:6379/0"


def _access(value: str) -> str | None:
    return None if value in ("public", "restricted") else "must be public or restricted"


SEARCH_ENGINES = ("whoosh", "postgresql")


def _search_engine(value: str) -> str | None:
    return None if value in SEARCH_ENGINES else f"must be one of {', '.join(SEARCH_ENGINES)}"


def is_postgresql(url: str) -> bool:
    return url.startswith(("postgresql:", "postgresql+"))


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "identifier_prefix", "KT", "Prefix of accession identifiers (KT-2024-000123).", _prefix
    ),
    Setting(
        "languages",
        "vie+eng",
        "Languages of the material, as Tesseract codes joined by +.",
        _languages,
    ),
    Setting("workers", 0, "Worker processes for ingest; 0 means one per CPU core.", _not_negative),
    Setting(
        "max_image_pixels",
        250_000_000,
        "Largest image (width x height) accepted; larger files are refused before decoding.",
        _positive,
    ),
    Setting("max_pages", 2000, "Most pages accepted in one multi-page TIFF or PDF.", _positive),
    Setting("batch_size", 50, "Ingested files written to the database per transaction.", _positive),
    Setting("default_access", "public", "Access of new items: public or restricted.", _access),
    Setting(
        "default_rights",
        "http://rightsstatements.org/vocab/CNE/1.0/",
        "Rights statement URI of new items that name none.",
    ),
    Setting(
        "ocr_timeout",
        120.0,
        "Seconds Tesseract may spend on one page before it is stopped.",
        _above_zero,
    ),
    Setting(
        "images_at_ingest",
        True,
        "Make the IIIF images of new items during ingest; false leaves them to a later "
        "`archive derivatives --all` (a large batch is catalogued faster).",
    ),
    Setting(
        "vocabularies",
        "",
        "Folder of vocabulary files (YAML) for tagging; empty means the ones shipped.",
    ),
    Setting(
        "tag_threshold",
        0.5,
        "Score an automatic tag needs before it is given.",
        _above_zero,
    ),
    Setting(
        "base_url",
        "http://localhost:8000",
        "Public address of the catalogue; IIIF manifests and images are identified under it.",
        _base_url,
    ),
    Setting(
        "page_cache_mb",
        64,
        "Memory (MB) each catalogue process may keep whole pages in, compressed (an item page "
        "is ~3 kB), to send them again without making them; 0 keeps none.",
        _not_negative,
    ),
    Setting(
        "publisher_vi",
        "Lưu trữ lịch sử tỉnh Kon Tum",
        "Name of the archive in Vietnamese: the credit on every manifest.",
    ),
    Setting(
        "publisher_en",
        "Kon Tum Provincial Archives",
        "Name of the archive in English.",
    ),
    Setting(
        "admin_email",
        "archivist@example.org",
        "E-mail address of whoever answers for the archive's data, as OAI-PMH's Identify gives "
        "it to harvesters.",
        _email,
    ),
    Setting(
        "staff_idle_hours",
        8.0,
        "Hours a signed-in session of the staff workspace lasts unused; then its user signs in "
        "again.",
        _above_zero,
    ),
    Setting(
        "broker_url",
        "",
        "Address of the broker that OCR and IIIF image jobs go through to `archive worker` "
        "processes on any machine, such as redis://127.0.0.1:6379/0; empty means ingest's own "
        "worker processes on this machine.",
        _broker_url,
    ),
    Setting(
        "job_tries",
        3,
        "Times a page's job is started before it is failed: a page that ends its worker each "
        "time (a crash) is not tried forever.",
        _positive,
    ),
    Setting(
        "job_timeout",
        600,
        "Seconds after which a job a worker took but never finished (its machine stopped) is "
        "given to another worker; longer than any one page takes.",
        _positive,
    ),
    Setting(
        "database_url",
        "",
        "SQLAlchemy URL of the database; empty means archive.db in the archive home.",
    ),
    Setting(
        "search_engine",
        "whoosh",
        "Full-text search: whoosh (an index in the archive home, any database) or postgresql "
        "(PostgreSQL's own, in the database, written with each change; needs a PostgreSQL "
        "database_url).",
        _search_engine,
    ),
)

BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, value: Any, source: str) -> Any:
    expected = type(setting.default)
    if expected is bool and isinstance(value, str):  # from the environment
        words = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
        if value.lower() not in words:
            raise ConfigError(f"{source}: {setting.name} must be true or false, not {value!r}")
        value = words[value.lower()]
    if expected in (int, float) and isinstance(value, str):  # from the environment
        try:
            value = expected(value)
        except ValueError:
            kind = "whole number" if expected is int else "number"
            raise ConfigError(f"{source}: {setting.name} must be a {kind}, not {value!r}")
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(f"{source}: {setting.name} must be a {expected.__name__}, not {value!r}")
    complaint = setting.check(value) if setting.check else None
    if complaint:
        raise ConfigError(f"{source}: {setting.name} {complaint} (got {value!r})")
    return value


def _apply(values: dict[str, Any], updates: Mapping[str, Any], source: str) -> None:
    for name, value in updates.items():
        if name not in BY_NAME:
            known = ", ".join(BY_NAME)
            raise ConfigError(f"{source}: unknown setting {name!r} (known: {known})")
        values[name] = _coerce(BY_NAME[name], value, source)


def load(
    home: Path, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The settings in force for the archive home `home`."""
    values = {s.name: s.default for s in SETTINGS}
    toml_path = home / "archive.toml"
    if toml_path.exists():
        try:
            data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{toml_path}: {exc}")
        _apply(values, data, str(toml_path))
    environ = os.environ if environ is None else environ
    prefix = "ARCHIVE_"
    from_env = {
        k[len(prefix) :].lower(): v
        for k, v in environ.items()
        if k.startswith(prefix) and k[len(prefix) :].lower() in BY_NAME
    }
    _apply(values, from_env, "environment")
    _apply(values, overrides or {}, "settings")
    _check_engine(values)
    return values


def _check_engine(values: dict[str, Any]) -> None:
    """The postgresql search engine keeps its index in the database: it needs PostgreSQL."""
    if values["search_engine"] == "postgresql" and not is_postgresql(values["database_url"]):
        raise ConfigError(
            "search_engine postgresql needs a PostgreSQL database_url "
            f"(postgresql+psycopg://…), not {values['database_url'] or 'the home’s SQLite file'!r}"
        )


def toml_template() -> str:
    """archive.toml as `archive init` writes it: every setting, commented out, with its help."""
    lines = ["# Settings of this archive home. Uncomment a line to change it.", ""]
    for s in SETTINGS:
        lines.append(f"# {s.help}")
        default = _toml_value(s.default)
        lines.append(f"# {s.name} = {default}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)
