"""The `archive` group, what every command is given (the archive home, opened with the search
index following its changes), and the helpers the commands share."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from archive.errors import ArchiveError
from archive.home import Archive, resolve_home

JSON_INDENT = 2


class Context:
    def __init__(self, home: str | None, by: str | None):
        self.home = resolve_home(home)
        self.by = by  # who the changes of this command are credited to (default: login name)

    @contextmanager
    def archive(self) -> Iterator[Archive]:
        """The archive, with the search index following its changes: what the command's units
        of work changed is indexed when it ends (or earlier, when it says so)."""
        archive = Archive.open(self.home)
        archive.by = self.by
        index_later = IndexLater(archive)
        archive.subscribers.append(index_later)
        try:
            yield archive
            index_later.flush()
        finally:
            archive.close()


class IndexLater:
    """Collects the items each unit of work changed and hands them to the search index in one
    update: an update per unit would cost a commit of the index each (an ingest commits a unit
    every batch, `archive ocr` one a page)."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self.items: set[str] = set()
        self.removed: set[str] = set()

    def __call__(self, committed) -> None:
        self.items |= committed.items
        self.removed |= committed.removed

    def flush(self, heal: bool = False) -> None:
        """Index what was collected; with `heal`, also every item the index lacks."""
        if not (self.items or self.removed or heal):
            return
        # Imported only now: a command that changed nothing (a second ingest) starts without it.
        from search_index import follow
        from search_index.engines import in_database, open_index

        if in_database(self.archive):  # each unit of work wrote its items' documents itself
            self.items, self.removed = set(), set()
            return
        with open_index(self.archive) as index:
            follow.update(self.archive, index, self.items, self.removed, heal)
        self.items, self.removed = set(), set()


pass_context = click.make_pass_decorator(Context)


class _Group(click.Group):
    """Every ArchiveError becomes its message and its exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ArchiveError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group)
@click.option(
    "--home",
    envvar="ARCHIVE_HOME",
    type=click.Path(file_okay=False),
    help="The archive home folder (default ./archive-data, or $ARCHIVE_HOME).",
)
@click.option(
    "--by",
    envvar="ARCHIVE_BY",
    help="Who the changes are credited to in the audit trail (default: the login name).",
)
@click.version_option(package_name="tulieu")
@click.pass_context
def cli(ctx: click.Context, home: str | None, by: str | None) -> None:
    """Tư liệu: a digital archive and exhibition catalogue."""
    ctx.obj = Context(home, by)


def check_languages(lang: str | None) -> None:
    from archive import settings as settings_module

    problem = lang and settings_module.BY_NAME["languages"].check(lang)
    if problem:
        raise click.BadParameter(problem, param_hint="--lang")


@contextmanager
def progress():
    """A progress bar on a terminal, naming the input it is on when told; silence in a pipe.
    Yields on_start(total, first="") and on_done(now_on="")."""
    if not sys.stderr.isatty():
        yield (lambda total, first="": None), (lambda now_on="": None)
        return
    from ingest.names import printable

    state = {}
    longest = 40  # characters of a name shown: the bar keeps to one line

    def shown(name: str | None) -> str | None:
        name = printable(Path(name).name) if name else ""
        return name if len(name) <= longest else f"{name[: longest - 1]}…"

    def on_start(total: int, first: str = "") -> None:
        state["bar"] = click.progressbar(
            length=total, label="ingesting", file=sys.stderr, item_show_func=shown
        )
        state["bar"].current_item = first  # shown from the first drawing of the bar
        state["bar"].__enter__()

    try:
        yield on_start, lambda now_on="": state["bar"].update(1, now_on)
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


def pairs(mapping: dict) -> str:
    return ", ".join(f"{v} {k}" for k, v in sorted(mapping.items())) or "none"


def print_changes(changes: list[tuple[str, object, object]]) -> None:
    for name, old, new in changes:
        click.echo(f"  {name}: {shown(old)} → {shown(new)}")


def shown(value) -> str:
    """A field's value as `item set` and ingest print it: text quoted, so that a space shows."""
    if value in (None, "", []):
        return "(none)"
    if isinstance(value, list):
        return json.dumps("; ".join(map(str, value)), ensure_ascii=False)
    if isinstance(value, str | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
