"""Commands that bring material in and keep it: init, ingest, status, ocr, derivatives, verify."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from archive.cli.base import (
    JSON_INDENT,
    Context,
    IndexLater,
    check_languages,
    cli,
    pairs,
    pass_context,
    print_changes,
    progress,
)
from archive.home import Archive


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
@click.option("--ocr", "read_photos", is_flag=True, help="OCR photos too (documents always are).")
@click.option(
    "--update-metadata",
    is_flag=True,
    help="Apply to items already ingested what their metadata.csv or item.yaml now says "
    "(printing old -> new for each field); without it, a difference is only reported.",
)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option(
    "--dry-run", is_flag=True, help="Read and check everything (but run no OCR); write nothing."
)
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
    read_photos,
    update_metadata,
    workers,
    dry_run,
    report_path,
) -> None:
    """Ingest files and folders of scans and photos."""
    from ingest import batch
    from ingest.describe import Options

    check_languages(lang)
    with ctx.archive() as archive:
        if collection:
            from archive import items  # SQLAlchemy: only now, see ingest.batch

            with archive.session() as session:
                items.collection(session, collection)  # checks the slug before any work
        options = Options(
            type=item_type,
            access=access or archive.settings["default_access"],
            rights=archive.settings["default_rights"],
            languages=lang or archive.settings["languages"],
            collection=collection,
            read_photos=read_photos,
        )
        with progress() as (on_start, on_done):
            report = batch.run(
                archive,
                list(paths),
                options,
                workers=workers,
                dry_run=dry_run,
                metadata_csv=metadata_csv,
                update_metadata=update_metadata,
                on_start=on_start,
                on_done=on_done,
                on_committed=lambda recovered: _indexed(archive, recovered),
            )
    if report_path:
        report_path.write_text(
            json.dumps(report.as_json(), ensure_ascii=False, indent=JSON_INDENT), encoding="utf-8"
        )
    _print_summary(report)
    sys.exit(report.exit_code)


def _indexed(archive: Archive, recovered: bool) -> None:
    """Before an ingest run marks itself done, the index learns what it changed (so that a run
    stopped before that point heals on the next one)."""
    index_later = next(s for s in archive.subscribers if isinstance(s, IndexLater))
    index_later.flush(heal=recovered)


def _print_summary(report) -> None:
    from ingest.batch import planned
    from ingest.names import printable

    for entry in report.entries:
        name, outcome = printable(entry.input), entry.outcome
        if line := planned(entry):
            click.echo(line)
        if outcome == "failed":
            where = f" (row {entry.row})" if entry.row is not None else ""
            click.echo(f"failed   {name}{where}: {entry.step}: {entry.reason}")
        elif outcome == "duplicate":
            click.echo(f"duplicate {name}: the same content as {entry.duplicate_of}")
        elif outcome in ("updated", "would-update"):
            click.echo(f"{outcome.replace('-', ' ')} {entry.item} from {name}")
            print_changes([(c["field"], c["old"], c["new"]) for c in entry.changes or []])
        for warning in entry.warnings:
            click.echo(f"warning  {name}: {warning}")
    counts = report.counts
    order = ("created", "would-create", "updated", "would-update", "duplicate", "unchanged")
    order += ("skipped", "failed")
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
    from archive import journal

    with ctx.archive() as archive, archive.session() as session:
        found = journal.status(session)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=JSON_INDENT))
        return
    click.echo(
        f"items    {found['items']} ({pairs(found['by_type'])}; {pairs(found['by_access'])})"
    )
    click.echo(f"pages    {found['pages']}")
    click.echo(f"masters  {found['masters']} ({found['master_bytes'] / 1e6:.1f} MB)")
    for run in found["runs"]:
        click.echo(f"run {run['id']}  {run['started_at']}  {run['status']}  {pairs(run['counts'])}")
        for failure in run["failed"][:20]:
            click.echo(f"  failed {failure['input']}: {failure['step']}: {failure['reason']}")
        if len(run["failed"]) > 20:
            click.echo(f"  … and {len(run['failed']) - 20} more (archive status --json)")
        if run["mended"]:
            click.echo(f"  ({run['mended']} failed, and a later run ingested them)")
        _print_jobs("  jobs", run["jobs"])
    for command, queued in found["jobs"].items():
        _print_jobs(f"jobs of archive {command}", queued)


def _print_jobs(title: str, queued: dict | None) -> None:
    """Jobs done by workers through the broker: how many in each state, and what failed why."""
    if not queued:
        return
    click.echo(f"{title}  {pairs(queued['counts'])}")
    for failure in queued["failed"][:20]:
        where = f"{failure['item']} p.{failure['page']}"
        click.echo(f"    failed {where}: {failure['kind']}: {failure['reason']}")
    if len(queued["failed"]) > 20:
        click.echo(f"    … and {len(queued['failed']) - 20} more (archive status --json)")


@cli.command()
@click.argument("accession_ids", nargs=-1)
@click.option("--retry-failed", is_flag=True, help="The pages whose OCR failed.")
@click.option("--lang", help="Languages for Tesseract, such as vie+eng (default: setting).")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@pass_context
def ocr(ctx: Context, accession_ids, retry_failed: bool, lang: str | None, workers) -> None:
    """OCR pages again: of the items named, or (--retry-failed) every page that failed."""
    from ingest import reread

    if not accession_ids and not retry_failed:
        raise click.UsageError("name items, or give --retry-failed")
    check_languages(lang)
    with ctx.archive() as archive, progress() as (on_start, on_done):
        if archive.settings["broker_url"]:
            _queue_ocr(archive, list(accession_ids), retry_failed, lang)
            return
        counts = reread.reread(
            archive,
            list(accession_ids),
            retry_failed,
            lang or archive.settings["languages"],
            workers or archive.settings["workers"] or os.cpu_count() or 1,
            on_start,
            on_done,
        )
    click.echo(f"{counts.done} pages read, {counts.failed} failed")
    sys.exit(1 if counts.failed else 0)


def _queue_ocr(archive: Archive, accession_ids: list[str], failed_only: bool, lang) -> None:
    from archive import texts
    from ingest import job_queue

    languages = lang or archive.settings["languages"]
    count = job_queue.queue(
        archive,
        "ocr",
        "ocr",
        lambda session: texts.pages_to_read(session, accession_ids, failed_only),
        languages,
    )
    click.echo(f"{count} pages queued for the workers (archive status follows them)")


@cli.command()
@pass_context
def verify(ctx: Context) -> None:
    """Re-hash every master; report missing or changed ones (exit 1 if any)."""
    from archive import fixity

    with ctx.archive() as archive, archive.session() as session:
        total = fixity.count(session)
        problems = list(fixity.audit(session, archive.home))
    for problem in problems:
        users = ", ".join(problem.items) or "no item"
        click.echo(
            f"{problem.reason.split(':')[0]:8} {problem.stored_path}: {problem.reason}; "
            f"used by {users}"
        )
    click.echo(f"{total - len(problems)} of {total} masters intact")
    sys.exit(1 if problems else 0)


@cli.command()
@click.argument("accession_ids", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every item's pages.")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@pass_context
def derivatives(ctx: Context, accession_ids, every: bool, workers) -> None:
    """Make the IIIF images (tiles, sizes, info.json) of items again."""
    from ingest.rederive import rederive

    if bool(accession_ids) == every:
        raise click.UsageError("name items, or give --all")
    with ctx.archive() as archive, progress() as (on_start, on_done):
        if archive.settings["broker_url"]:
            _queue_images(archive, None if every else list(accession_ids))
            return
        workers = workers or archive.settings["workers"] or os.cpu_count() or 1
        done, problems = rederive(
            archive, None if every else list(accession_ids), workers, on_start, on_done
        )
    for problem in problems:
        click.echo(f"failed   {problem}")
    click.echo(f"{done} pages made, {len(problems)} failed")
    sys.exit(1 if problems else 0)


def _queue_images(archive: Archive, accession_ids: list[str] | None) -> None:
    from ingest import job_queue
    from ingest.rederive import pages_of

    count = job_queue.queue(
        archive, "derivatives", "images", lambda session: pages_of(session, accession_ids)
    )
    click.echo(f"{count} pages queued for the workers (archive status follows them)")
