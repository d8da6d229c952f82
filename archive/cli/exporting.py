"""`archive export csv|bag`: what the archive holds, taken away as a spreadsheet to edit and
ingest again, or as BagIt bags for a transfer or a preservation system."""

from __future__ import annotations

from pathlib import Path

import click

from archive.cli.base import Context, cli, pass_context
from archive.home import Archive


@cli.group()
def export() -> None:
    """Take items away: a metadata.csv, or BagIt bags."""


@export.command("csv")
@click.option("--collection", help="Only this collection (and those below it): its SLUG.")
@click.option("--query", help="Only the items this search finds (as `archive search`).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_context
def export_csv(ctx: Context, collection: str | None, query: str | None, out: Path) -> None:
    """Write items as a metadata.csv that `archive ingest --update-metadata` reads back."""
    from archive import spreadsheet

    with ctx.archive() as archive:
        wanted = chosen(archive, collection, query)
        with archive.sessions() as session:  # it only reads
            written = spreadsheet.write(session, wanted, out)
    for warning in written.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{written.rows} items written to {out}")
    if written.warnings:
        raise SystemExit(1)


def chosen(archive: Archive, collection: str | None, query: str | None) -> list[str]:
    """The accession ids of every item, or of those in `collection` and found by `query`."""
    from archive import items

    with archive.sessions() as session:
        listed = [row["id"] for row in items.listing(session, in_collection=collection)]
    if query is None:
        return listed
    found = set(searched(archive, query))
    return [accession_id for accession_id in listed if accession_id in found]


def searched(archive: Archive, query: str) -> list[str]:
    """Every item the search finds, restricted ones too (an archivist's export), page by page."""
    from search_index.service import MAX_PER_PAGE, SearchIndex

    found: list[str] = []
    with SearchIndex.open(archive.home / "index") as index:
        page = 1
        while True:
            results = index.search(
                query, public_only=False, page=page, per_page=MAX_PER_PAGE, facets=False
            )
            found += [hit.id for hit in results.hits]
            if page * MAX_PER_PAGE >= results.total:
                return found
            page += 1
