"""What every part of the catalogue reaches for during a request: the archive and the search
index the app was made with, and what is kept between requests (see `catalogue.cache`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from flask import current_app
from sqlalchemy.orm import Session

from archive.home import Archive
from catalogue.cache import Kept, Page

if TYPE_CHECKING:  # the engine in use is opened by search_index.engines
    from search_index.postgresql import DatabaseIndex
    from search_index.service import SearchIndex

T = TypeVar("T")


def archive() -> Archive:
    return current_app.extensions["archive"]


def search_index() -> SearchIndex | DatabaseIndex:
    return current_app.extensions["search"]


def kept() -> Kept:
    return current_app.extensions["catalogue.kept"]


def remember(key: Hashable, make: Callable[[], T]) -> T:
    """What `make()` gives, kept until the database next changes."""
    return kept().remember(key, make)


def remember_page(key: Hashable, make: Callable[[], str]) -> Page:
    """A whole page, likewise, kept compressed."""
    return kept().remember_page(key, make)


def remember_parts(
    keys: Iterable[Hashable], make: Callable[[list[Hashable]], dict[Hashable, T]]
) -> dict[Hashable, T]:
    """Small pieces of pages, likewise: those missing all made by one call of `make`."""
    return kept().remember_parts(keys, make)


@contextmanager
def reading() -> Iterator[Session]:
    """A read-only session: the catalogue reads; it writes only through the workspace."""
    with archive().sessions() as session:
        yield session
