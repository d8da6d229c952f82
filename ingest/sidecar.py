"""Descriptions written by people beside the files: `metadata.csv` (one row a file or folder) and
`item.yaml` (a folder of page scans that is one document). Column names are Dublin Core's."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from archive.errors import InvalidInput
from archive.fields import Description, describe, is_known_column
from ingest.names import nfc


@dataclass
class SidecarProblem:
    source: str  # the sidecar's path, for the report
    row: int | None
    reason: str


def read_metadata_csv(
    path: Path, display: str, default_lang: str
) -> tuple[dict[str, Description], dict[str, str], list[SidecarProblem]]:
    """Rows keyed by the relative path they name; rows that failed, keyed the same, with the reason;
    and problems that belong to no file. Raises InvalidInput when the file cannot be read at all."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"not UTF-8 (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
            "save it as CSV UTF-8"
        )
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}")
    if "\x00" in text:
        raise InvalidInput("holds NUL bytes; it is not a text CSV file")
    reader = csv.DictReader(io.StringIO(nfc(text)))
    header = [nfc(h).strip() for h in (reader.fieldnames or [])]
    if "file" not in header:
        raise InvalidInput("has no `file` column naming the file each row describes")
    reader.fieldnames = header
    problems = [
        SidecarProblem(display, 1, f"unknown column {name!r}; it was ignored")
        for name in header
        if not is_known_column(name)
    ]
    rows: dict[str, Description] = {}
    failed: dict[str, str] = {}
    first_row: dict[str, int] = {}
    try:
        for row in reader:
            number = reader.line_num
            _read_row(row, number, default_lang, rows, failed, first_row, problems, display)
    except csv.Error as exc:
        problems.append(SidecarProblem(display, reader.line_num, f"CSV syntax: {exc}"))
    return rows, failed, problems


def _read_row(
    row: dict,
    number: int,
    default_lang: str,
    rows: dict,
    failed: dict,
    first_row: dict,
    problems: list,
    display: str,
) -> None:
    name = (row.get("file") or "").strip()
    if not name:
        problems.append(SidecarProblem(display, number, "the `file` column is empty"))
        return
    relative = _relative(name)
    if relative is None:
        problems.append(
            SidecarProblem(display, number, f"{name!r} is not a path inside this folder")
        )
        return
    if relative in first_row:
        problems.append(
            SidecarProblem(
                display, number, f"{name!r} was described already on row {first_row[relative]}"
            )
        )
        return
    first_row[relative] = number
    if None in row:
        failed[relative] = f"{display} row {number}: more values than columns"
        return
    values = {k: v for k, v in row.items() if k != "file" and is_known_column(k)}
    try:
        rows[relative] = describe(values, default_lang)
    except InvalidInput as exc:
        failed[relative] = f"{display} row {number}: {exc}"


def _relative(name: str) -> str | None:
    path = PurePosixPath(nfc(name).replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        return None
    return path.as_posix()


def read_item_yaml(path: Path, default_lang: str) -> Description:
    import yaml  # here: a run over folders with no item.yaml (most second runs) starts without it

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput("not UTF-8")
    except yaml.YAMLError as exc:
        raise InvalidInput(f"not valid YAML: {exc}".replace("\n", " "))
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}")
    if data is None:
        return Description()
    if not isinstance(data, dict):
        raise InvalidInput("must be a mapping of field names to values")
    return describe({str(k): v for k, v in data.items()}, default_lang)
