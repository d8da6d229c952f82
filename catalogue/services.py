"""What every part of the catalogue reaches for during a request: the archive and the search
index the app was made with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.orm import Session

from archive.home import Archive
from search_index.service import SearchIndex


def archive() -> Archive:
    return current_app.extensions["archive"]


def search_index() -> SearchIndex:
    return current_app.extensions["search"]


@contextmanager
def reading() -> Iterator[Session]:
    """A read-only session: the catalogue reads; it writes only through the workspace."""
    with archive().sessions() as session:
        yield session
