"""What the image and PDF libraries say while one input is prepared, kept as that input's notes
instead of being printed over the progress bar: Python warnings (Pillow's), the records of
Pillow's and libvips' loggers (libvips passes on what libtiff and libjpeg warn), and whatever C
code writes to the process's stderr (fd 2), which is sent to a file meanwhile.

Notes are kept once each, at most `MOST` of them, each at most `LONGEST` characters: a hostile
file can make a library warn a million times.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

MOST = 10
LONGEST = 300
READ_BACK = 64 * 1024  # of what was written to stderr; the rest is dropped unread
LOGGERS = {"PIL": "Pillow", "pyvips": "libvips"}

_spill: int | None = None  # a file (descriptor) per process, emptied after each input


class _Kept(logging.Handler):
    def __init__(self, notes: list[str]):
        super().__init__(logging.WARNING)
        self.notes = notes

    def emit(self, record: logging.LogRecord) -> None:
        source = LOGGERS.get(record.name.split(".")[0], record.name)
        # pyvips gives GLib's domain first ("VIPS: ..."), and libvips joins lines in one
        message = record.getMessage().removeprefix("VIPS: ")
        self.notes += [f"{source}: {line.strip()}" for line in message.splitlines() if line.strip()]


@contextmanager
def kept() -> Iterator[list[str]]:
    """The notes of what is done in the block; the list is complete when the block ends."""
    notes: list[str] = []
    handler = _Kept(notes)
    loggers = [logging.getLogger(name) for name in LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    with warnings.catch_warnings(record=True) as caught:
        # Every warning a library gives is noted, whatever the filters around (a test's turn
        # them into errors); not deprecations, which are for this program's authors.
        warnings.simplefilter("always")
        for category in (DeprecationWarning, PendingDeprecationWarning, ResourceWarning):
            warnings.filterwarnings("ignore", category=category)
        try:
            with _stderr_kept(notes):
                yield notes
        finally:
            for logger in loggers:
                logger.removeHandler(handler)
            notes[:0] = [_warning(w) for w in caught]
            notes[:] = tidy(notes)


def tidy(notes: list[str]) -> list[str]:
    """Each note once, shortened, at most MOST of them, the rest counted."""
    unique = list(dict.fromkeys(_shortened(" ".join(note.split())) for note in notes if note))
    if len(unique) <= MOST:
        return unique
    return [*unique[: MOST - 1], f"and {len(unique) - MOST + 1} more messages"]


def _shortened(note: str) -> str:
    return note if len(note) <= LONGEST else f"{note[: LONGEST - 1]}…"


def _warning(caught: warnings.WarningMessage) -> str:
    module = caught.filename.replace(os.sep, "/")
    source = "Pillow" if "/PIL/" in module else caught.category.__name__
    return f"{source}: {caught.message}"


@contextmanager
def _stderr_kept(notes: list[str]) -> Iterator[None]:
    """fd 2 sent to a file for the block; the lines written are added to `notes`."""
    global _spill
    if _spill is None:  # open for the life of the process, and never seen in a folder
        _spill, name = tempfile.mkstemp(prefix="stderr-")
        os.unlink(name)
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(_spill, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        notes += _read_back(_spill)


def _read_back(spill: int) -> list[str]:
    written = os.lseek(spill, 0, os.SEEK_END)
    if not written:
        return []
    text = os.pread(spill, min(written, READ_BACK), 0).decode("utf-8", "replace")
    os.ftruncate(spill, 0)
    os.lseek(spill, 0, os.SEEK_SET)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [f"stderr: {line}" for line in lines]
