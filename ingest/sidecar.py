"""Descriptions written by people beside the files: `metadata.csv` (one row a file or folder) and
`item.yaml` (a folder of page scans that is one document). Column names are Dublin Core's.

A sidecar is read whole or not at all: a CSV that breaks part-way (a stray line break, a value
over the csv module's size limit, a quote never closed) raises `Unreadable` naming the row, so
that no file it describes is catalogued without its description."""

from __future__ import annotations

import csv
import datetime
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from archive.errors import InvalidInput
from archive.fields import (
    LANGUAGE_MAPPED,
    MULTI,
    Description,
    describe,
    is_known_column,
    restored,
)
from ingest.names import nfc

DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}  # what spreadsheets write


class Unreadable(InvalidInput):
    """A sidecar that cannot be read as a whole; `row` is where reading stopped, when known."""

    def __init__(self, reason: str, row: int | None = None):
        super().__init__(reason if row is None else f"row {row}: {reason}")
        self.reason, self.row = reason, row


@dataclass
class SidecarProblem:
    source: str  # the sidecar's path, for the report
    row: int | None
    reason: str


@dataclass
class Sheet:
    """What one metadata.csv says, keyed by the relative path each row names. Rows are numbered
    as a spreadsheet shows them: the header is row 1, a cell holding a line break is one row."""

    rows: dict[str, Description] = field(default_factory=dict)
    row_of: dict[str, int] = field(default_factory=dict)  # every path named -> its row
    failed: dict[str, str] = field(default_factory=dict)  # path -> why its row was refused
    problems: list[SidecarProblem] = field(default_factory=list)  # belonging to no file


def read_metadata_csv(path: Path, display: str, default_lang: str) -> Sheet:
    """The rows of `path`; raises Unreadable when any part of it cannot be read."""
    text = _text_of(path)
    newline, delimiter = _layout(text)
    reader = csv.reader(_lines(text, newline), delimiter=delimiter, strict=True)
    sheet = Sheet()
    number = 0
    try:
        for number, values in enumerate(reader, 1):
            if number == 1:
                header = _header(values, display, sheet)
            else:
                row = dict(zip(header, values, strict=False))  # a short row: the rest empty
                _read_row(row, values[len(header) :], number, sheet, display, default_lang)
    except csv.Error as exc:
        raise Unreadable(_csv_reason(exc), number + 1)
    except MemoryError:
        raise Unreadable("too large to read", number + 1)
    return sheet


def _text_of(path: Path) -> str:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(
            f"not UTF-8 (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
            "save it as CSV UTF-8"
        )
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror}")
    except MemoryError:
        raise Unreadable("too large to read")
    if "\x00" in text:
        raise Unreadable("holds NUL bytes; it is not a text CSV file")
    return nfc(text)


def _lines(text: str, newline: str) -> Iterator[str]:
    """The lines of `text`, each with its end, split at `newline` alone (io.StringIO would
    translate a stray LF into the CR it splits at, making a stray line break a row break)."""
    start = 0
    while start < len(text):
        end = text.find(newline, start)
        end = len(text) if end == -1 else end + 1
        yield text[start:end]
        start = end


def _layout(text: str) -> tuple[str, str]:
    """How the file ends its lines, from its header line: CR alone (Excel's "CSV (Macintosh)"),
    or LF/CRLF. Rows end only there, so a stray CR or LF inside a row is an error, not a new
    row. And the delimiter: the one that makes a `file` column of the header."""
    end = re.search(r"\r\n?|\n", text)
    newline = "\r" if end and end[0] == "\r" else "\n"
    first = text[: end.start()] if end else text
    for delimiter in DELIMITERS:
        try:
            names = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            continue
        if "file" in (name.strip() for name in names):
            return newline, delimiter
    raise Unreadable(
        "has no `file` column naming the file each row describes (columns separated by "
        f"{', '.join(DELIMITERS.values())} were looked for)",
        1,
    )


def _header(values: list[str], display: str, sheet: Sheet) -> list[str]:
    header = [name.strip() for name in values]
    for name in header:
        if is_known_column(name) and header.count(name) > 1:
            raise Unreadable(f"the column {name!r} appears twice", 1)
        if not is_known_column(name):
            sheet.problems.append(
                SidecarProblem(display, 1, f"unknown column {name!r}; it was ignored")
            )
    return header


def _csv_reason(exc: csv.Error) -> str:
    message = str(exc)
    if message.startswith("new-line character"):
        return (
            "a line break inside a value that is not in quotes (a stray carriage return or line "
            "feed); remove it, or put the value in quotes"
        )
    if limit := re.match(r"field larger than field limit \((\d+)\)", message):
        return f"a value longer than {limit[1]} characters"
    if message == "unexpected end of data":
        return "a quote opened here is never closed"
    if "expected after" in message:
        return "text after a closing quote; put the whole value in quotes, doubling any quote in it"
    return f"CSV syntax: {message}"


def _read_row(
    row: dict, extra: list[str], number: int, sheet: Sheet, display: str, default_lang: str
) -> None:
    # a cell `archive export csv` kept from running as a formula, as it was
    row = {k: restored(v) if isinstance(v, str) else v for k, v in row.items()}
    name = (row.get("file") or "").strip()
    if not name:
        if any(value.strip() for value in [*row.values(), *extra]):
            # which file these values describe is unknown: no file of the folder may go on
            raise Unreadable("the `file` column is empty, but the row holds values", number)
        return  # an empty row
    relative = _relative(name)
    if relative is None:
        sheet.problems.append(
            SidecarProblem(display, number, f"{name!r} is not a path inside this folder")
        )
        return
    if relative in sheet.row_of:
        first = sheet.row_of[relative]
        sheet.rows.pop(relative, None)
        sheet.failed[relative] = f"{display} rows {first} and {number} both name it; keep one"
        return
    sheet.row_of[relative] = number
    if any(value.strip() for value in extra):
        sheet.failed[relative] = f"{display} row {number}: more values than columns"
        return
    values = {k: v for k, v in row.items() if k != "file" and is_known_column(k)}
    try:
        sheet.rows[relative] = describe(values, default_lang)
    except InvalidInput as exc:
        sheet.failed[relative] = f"{display} row {number}: {exc}"


def _relative(name: str) -> str | None:
    path = PurePosixPath(nfc(name).replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        return None
    return path.as_posix()


def read_item_yaml(path: Path, default_lang: str) -> Description:
    """The description in an item.yaml; raises InvalidInput when it cannot be read, or holds
    aliases, or a value of the wrong shape (checked before anything is turned into text)."""
    import yaml  # here: a run over folders with no item.yaml (most second runs) starts without it

    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_loader())
    except UnicodeDecodeError:
        raise InvalidInput("not UTF-8")
    except yaml.YAMLError as exc:
        raise InvalidInput(f"not valid YAML: {exc}".replace("\n", " "))
    except ValueError as exc:  # a constructor's: a date that is no date, an integer too long
        raise InvalidInput(f"not valid YAML: {exc}")
    except RecursionError:
        raise InvalidInput("nested too deeply to be a description")
    except MemoryError:
        raise InvalidInput("too large to read")
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}")
    if data is None:
        return Description()
    if not isinstance(data, dict):
        raise InvalidInput("must be a mapping of field names to values")
    return describe(_checked(data), default_lang)


@functools.cache
def _loader() -> type:
    import yaml

    class NoAliases(yaml.SafeLoader):
        """YAML without anchors and aliases: a few hundred bytes of aliases expand to billions
        of values (the "billion laughs"), and a description has no use for them."""

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InvalidInput(
                    f"line {event.start_mark.line + 1}: aliases and anchors (* and &) are not "
                    "allowed; write each value out"
                )
            return super().compose_node(parent, index)

    return NoAliases


_TEXT = (str, int, float, datetime.date)  # what `describe` turns into text (bool it refuses)


def _checked(data: dict) -> dict[str, Any]:
    for key, value in data.items():
        if not isinstance(key, str):
            raise InvalidInput(f"field names must be text; {key!r} is not")
        if not is_known_column(key) or key == "file":
            raise InvalidInput(f"unknown field {key!r}")
        if key in LANGUAGE_MAPPED and isinstance(value, dict):
            for lang, text in value.items():
                if not isinstance(lang, str):
                    raise InvalidInput(f"{key}: language codes must be text; {lang!r} is not")
                _text(f"{key}.{lang}", text)
        elif key in MULTI and isinstance(value, list):
            for each in value:
                _text(key, each)
        elif key in MULTI and value is not None and not isinstance(value, _TEXT):
            raise InvalidInput(f"{key}: expected a list of text, got {_kind(value)}")
        else:
            _text(key, value)
    return data


def _text(key: str, value: Any) -> None:
    if value is not None and not isinstance(value, _TEXT):
        raise InvalidInput(f"{key}: expected text, got {_kind(value)}")
    if isinstance(value, int) and value.bit_length() > 1024:  # 0xfff… has no limit on length
        raise InvalidInput(f"{key}: a number too long to be a value; put it in quotes")


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list"}.get(type(value), type(value).__name__)
