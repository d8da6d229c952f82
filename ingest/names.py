"""File names as people read them: Unicode NFC (scans copied from macOS arrive as NFD), and
undecodable bytes shown as escapes rather than lost."""

from __future__ import annotations

import os
import re
from pathlib import Path

from archive.fields import nfc  # one definition for the whole project

__all__ = ["display", "natural_key", "nfc", "path_key", "printable"]


def display(path: str | os.PathLike) -> str:
    """A path as text that can be stored, printed and put in JSON, whatever bytes it holds."""
    raw = os.fsencode(path)
    return nfc(raw.decode("utf-8", "backslashreplace"))


def path_key(path: Path) -> bytes:
    """What a file is known by from one run to the next: its absolute path's bytes, as the file
    system gives them. Two names that `display` shows alike (NFC and NFD, or bytes that are not
    UTF-8 and a name spelling their escape) are two files."""
    return os.fsencode(path.absolute())


def printable(text: str) -> str:
    """A name for one line of a terminal: newlines and other controls shown as escapes."""
    if text.isprintable():  # nearly every name: one C call instead of a loop over characters
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> list:
    """Sort page-2 before page-10, as a person would."""
    return [int(part) if part.isdigit() else part.casefold() for part in _DIGITS.split(nfc(name))]
