"""The `archive` command: the archivist's and curator's interface, and the one place where the
packages are wired together.

Exit codes: 0 all done; 1 done, but some inputs failed (each named with its reason); 2 bad usage
or configuration.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from archive import fixity, items, journal
from archive.errors import ArchiveError
from archive.fields import default_lang
from archive.home import Archive, resolve_home

JSON_INDENT = 2


class Context:
    def __init__(self, home: str | None):
        self.home = resolve_home(home)

    @contextmanager
    def archive(self) -> Iterator[Archive]:
        archive = Archive.open(self.home)
        try:
            yield archive
        finally:
            archive.close()


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
@click.version_option(package_name="tulieu")
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """Tư liệu: a digital archive and exhibition catalogue."""
    ctx.obj = Context(home)


@cli.command()
@pass_context
def init(ctx: Context) -> None:
    """Create an archive home (or complete one)."""
    Archive.create(ctx.home).close()
    click.echo(f"archive home ready at {ctx.home}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--collection", help="Collection slug: fonds, fonds/series or fonds/series/file.")
@click.option("--lang", help="Languages of the material, such as vie+eng (default: setting).")
@click.option(
    "--type",
    "item_type",
    type=click.Choice(["auto", "photo", "document"]),
    default="auto",
    show_default=True,
    help="What the files are.",
)
@click.option(
    "--access",
    type=click.Choice(["public", "restricted"]),
    help="Access of the new items (default: setting default_access).",
)
@click.option(
    "--metadata",
    "metadata_csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A metadata.csv to use for files it names (paths relative "
    "to its folder), beside those found in the folders.",
)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option("--dry-run", is_flag=True, help="Read and check everything; write nothing.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every input's outcome to this JSON file.",
)
@pass_context
def ingest(
    ctx: Context,
    paths,
    collection,
    lang,
    item_type,
    access,
    metadata_csv,
    workers,
    dry_run,
    report_path,
) -> None:
    """Ingest files and folders of scans and photos."""
    from archive import settings as settings_module
    from ingest import batch
    from ingest.describe import Options

    if lang:
        problem = settings_module.BY_NAME["languages"].check(lang)
        if problem:
            raise click.BadParameter(problem, param_hint="--lang")
    with ctx.archive() as archive:
        if collection:
            with archive.session() as session:
                items.collection(session, collection)  # checks the slug before any work
        options = Options(
            type=item_type,
            access=access or archive.settings["default_access"],
            rights=archive.settings["default_rights"],
            languages=lang or archive.settings["languages"],
            collection=collection,
        )
        with _progress() as (on_start, on_done):
            report = batch.run(
                archive,
                list(paths),
                options,
                workers=workers,
                dry_run=dry_run,
                metadata_csv=metadata_csv,
                on_start=on_start,
                on_done=on_done,
            )
    if report_path:
        report_path.write_text(
            json.dumps(report.as_json(), ensure_ascii=False, indent=JSON_INDENT), encoding="utf-8"
        )
    _print_summary(report)
    sys.exit(report.exit_code)


@contextmanager
def _progress():
    """A progress bar on a terminal; silence in a pipe."""
    if not sys.stderr.isatty():
        yield (lambda total: None), (lambda: None)
        return
    state = {}

    def on_start(total: int) -> None:
        state["bar"] = click.progressbar(length=total, label="ingesting", file=sys.stderr)
        state["bar"].__enter__()

    try:
        yield on_start, lambda: state["bar"].update(1)
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


def _print_summary(report) -> None:
    from ingest.names import printable

    for entry in report.entries:
        if entry["outcome"] == "failed":
            where = f" (row {entry['row']})" if "row" in entry else ""
            click.echo(
                f"failed   {printable(entry['input'])}{where}: {entry['step']}: {entry['reason']}"
            )
        for warning in entry.get("warnings", []):
            click.echo(f"warning  {printable(entry['input'])}: {warning}")
    counts = report.counts
    order = ("created", "would-create", "duplicate", "unchanged", "skipped", "failed")
    summary = ", ".join(
        f"{counts.get(k, 0)} {k}" for k in order if counts.get(k) or k in ("created", "failed")
    )
    prefix = "dry run: " if report.dry_run else ""
    click.echo(
        f"{prefix}{summary}"
        + (f"; {counts['with_warnings']} with warnings" if counts.get("with_warnings") else "")
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def status(ctx: Context, as_json: bool) -> None:
    """What the archive holds, the last ingest runs, and what failed and why."""
    with ctx.archive() as archive, archive.session() as session:
        found = journal.status(session)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=JSON_INDENT))
        return
    click.echo(
        f"items    {found['items']} ({_pairs(found['by_type'])}; {_pairs(found['by_access'])})"
    )
    click.echo(f"pages    {found['pages']}")
    click.echo(f"masters  {found['masters']} ({found['master_bytes'] / 1e6:.1f} MB)")
    for run in found["runs"]:
        click.echo(
            f"run {run['id']}  {run['started_at']}  {run['status']}  {_pairs(run['counts'])}"
        )
        for failure in run["failed"][:20]:
            click.echo(f"  failed {failure['input']}: {failure['step']}: {failure['reason']}")
        if len(run["failed"]) > 20:
            click.echo(f"  … and {len(run['failed']) - 20} more (archive status --json)")


def _pairs(mapping: dict) -> str:
    return ", ".join(f"{v} {k}" for k, v in sorted(mapping.items())) or "none"


@cli.group()
def item() -> None:
    """Show and edit items."""


@item.command("show")
@click.argument("accession_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def item_show(ctx: Context, accession_id: str, as_json: bool) -> None:
    """Show one item."""
    with ctx.archive() as archive, archive.session() as session:
        record = items.as_dict(items.find(session, accession_id))
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=JSON_INDENT))
        return
    for key, value in record.items():
        if key in ("pages", "masters", "tags"):
            click.echo(f"{key}:")
            for row in value:
                click.echo("  " + ", ".join(f"{k}={v}" for k, v in row.items()))
        elif value not in (None, {}, []):
            shown = (
                json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
            )
            click.echo(f"{key}: {shown}")


@item.command("set")
@click.argument("accession_id")
@click.argument("assignments", nargs=-1, required=True)
@pass_context
def item_set(ctx: Context, accession_id: str, assignments: tuple[str, ...]) -> None:
    """Set fields: FIELD=VALUE ... (the metadata.csv column names; an empty VALUE clears)."""
    pairs = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{assignment!r} is not FIELD=VALUE")
        pairs[name.strip()] = value
    with ctx.archive() as archive, archive.session() as session:
        items.edit(session, accession_id, pairs, default_lang(archive.settings["languages"]))
    click.echo(f"{accession_id} updated")


@cli.command()
@pass_context
def verify(ctx: Context) -> None:
    """Re-hash every master; report missing or changed ones (exit 1 if any)."""
    with ctx.archive() as archive, archive.session() as session:
        total = fixity.count(session)
        problems = list(fixity.audit(session, archive.home))
    for problem in problems:
        click.echo(f"{problem.reason.split(':')[0]:8} {problem.stored_path}: {problem.reason}")
    click.echo(f"{total - len(problems)} of {total} masters intact")
    sys.exit(1 if problems else 0)


def main() -> None:
    cli(prog_name="archive")
