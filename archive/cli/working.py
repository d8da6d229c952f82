"""`archive worker`: OCR and IIIF image jobs from the broker, on any machine that sees the
archive home's files and its database."""

from __future__ import annotations

import os
import sys

import click

from archive.cli.base import Context, cli, pass_context
from archive.errors import ConfigError


@cli.command()
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    help="Jobs done at once, each in a process (default: setting workers, else cores).",
)
@click.option(
    "--queues",
    default="ocr,images,index",
    show_default=True,
    help="The queues to take jobs from, comma-separated: ocr and images on every machine that "
    "reads pages, index on one that writes the search index.",
)
@pass_context
def worker(ctx: Context, concurrency: int | None, queues: str) -> None:
    """Do the OCR and IIIF image jobs queued on the broker (setting broker_url), and tell the
    search index of the items finished, until stopped."""
    from ingest import job_queue

    chosen = [name.strip() for name in queues.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(job_queue.QUEUES))
    if unknown or not chosen:
        raise click.BadParameter(
            f"the queues are {', '.join(job_queue.QUEUES)}, not {', '.join(unknown) or 'none'}",
            param_hint="--queues",
        )
    with ctx.archive() as archive:  # checks the home and brings its schema up to date
        settings = archive.settings
    if not settings["broker_url"]:
        raise ConfigError("no broker: set broker_url in archive.toml (or ARCHIVE_BROKER_URL)")
    concurrency = concurrency or settings["workers"] or os.cpu_count() or 1
    sys.exit(job_queue.work(ctx.home, settings, concurrency, chosen))
