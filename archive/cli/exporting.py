"""`archive export csv|bag`: what the archive holds, taken away as a spreadsheet to edit and
ingest again, or as BagIt bags for a transfer or a preservation system."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
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
    from search_index.engines import open_index
    from search_index.service import MAX_PER_PAGE

    found: list[str] = []
    with open_index(archive) as index:
        page = 1
        while True:
            results = index.search(
                query, public_only=False, page=page, per_page=MAX_PER_PAGE, facets=False
            )
            found += [hit.id for hit in results.hits]
            if page * MAX_PER_PAGE >= results.total:
                return found
            page += 1


@export.command("bag")
@click.argument("accession_ids", nargs=-1)
@click.option("--collection", help="One bag of this collection (and those below it): its SLUG.")
@click.option("--all", "every", is_flag=True, help="A bag of every item.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@pass_context
def export_bag(
    ctx: Context, accession_ids: tuple[str, ...], collection: str | None, every: bool, out: Path
) -> None:
    """Write BagIt bags: one per item named (or every item), or one of a collection."""
    from archive import bags

    if sum((bool(accession_ids), collection is not None, every)) != 1:
        raise click.UsageError("name items, or give --collection SLUG, or --all: one of them")
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    with ctx.archive() as archive:
        if collection is not None:
            wanted = chosen(archive, collection, None)
            with archive.sessions() as session:
                found = loaded(session, wanted)
                path = bags.write_collection(archive, collection.strip("/"), found, out)
            click.echo(f"{len(found)} items in {path}")
            return
        wanted = chosen(archive, None, None) if every else list(accession_ids)
        # closed on an error too: a batch read holds its session open until then
        with closing(_batches(archive, wanted)) as batches:
            for written in bags.write_items(archive, batches, out):
                if isinstance(written, Path):
                    click.echo(written)
                else:
                    click.echo(f"error: {written}", err=True)
                    failed += 1
    if failed:
        raise SystemExit(1)


BATCH = 200  # items read from the database at once


def _batches(archive: Archive, accession_ids: list[str]) -> Iterator[list]:
    for start in range(0, len(accession_ids), BATCH):
        with archive.sessions() as session:
            yield loaded(session, accession_ids[start : start + BATCH])


def loaded(session, accession_ids: list[str]) -> list:
    """The items named, with all a bag takes of them, in the order named; NotFound for an id
    of no item, before anything is written."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from archive.errors import NotFound
    from archive.models import Item, Page

    query = (
        select(Item)
        .where(Item.accession_id.in_(accession_ids))
        .options(
            selectinload(Item.pages).selectinload(Page.texts),
            selectinload(Item.pages).selectinload(Page.master),
            selectinload(Item.tags),
            selectinload(Item.collection),
        )
    )
    found = {item.accession_id: item for item in session.scalars(query)}
    missing = [accession_id for accession_id in accession_ids if accession_id not in found]
    if missing:
        raise NotFound(f"no item {missing[0]}")
    return [found[accession_id] for accession_id in accession_ids]
