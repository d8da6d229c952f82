"""Commands on the search index: search and reindex."""

from __future__ import annotations

import json
import sys

import click

from archive import orders
from archive.cli.base import JSON_INDENT, Context, cli, pass_context
from archive.home import Archive


@cli.command()
@click.argument("query", default="")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    help="FIELD=VALUE, such as type=photo or "
    "tag=CRC (type, tag, convention, theme, district, ethnic-group, decade, collection, "
    "language); repeat to combine.",
)
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--sort",
    type=click.Choice(orders.SEARCH),
    default=orders.FIRST,
    show_default=True,
)
@click.option("--public", is_flag=True, help="Search as the public does: no restricted items.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def search(ctx: Context, query, filters, limit, page, sort, public, as_json) -> None:
    """Full-text search: diacritics optional, exact spellings first."""
    from search_index.engines import open_index

    wanted: dict[str, list[str]] = {}
    for pair in filters:
        name, sep, value = pair.partition("=")
        if not sep or not name or not value:
            raise click.BadParameter(f"{pair!r} is not FIELD=VALUE", param_hint="--filter")
        wanted.setdefault(name, []).append(value)
    with ctx.archive() as archive, open_index(archive) as index:
        found = index.search(
            query, filters=wanted, public_only=public, sort=sort, page=page, per_page=limit
        )
        if as_json:
            answer = _results(archive, found, wanted)
            click.echo(json.dumps(answer, ensure_ascii=False, indent=JSON_INDENT))
            return
    for hit in found.hits:
        title = hit.title.get("vi") or next(iter(hit.title.values()), "")
        year = hit.year_start or ""
        click.echo(f"{hit.id}  {hit.type:8} {year!s:4}  {title}")
        if hit.snippet:
            where = f"p.{hit.page}: " if hit.page else ""
            click.echo(f"    {where}{_terminal(hit.snippet)}")
    shown = (
        f"{(page - 1) * limit + 1}–{(page - 1) * limit + len(found.hits)}" if found.hits else "0"
    )
    click.echo(f"{shown} of {found.total}")


def _results(archive: Archive, found, filters: dict[str, list[str]]) -> dict:
    """`archive search --json`: the shape of `/api/search` (catalogue/openapi.yaml), each hit
    with its record's summary, languages named in Vietnamese and English."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from archive.models import Item, Page
    from catalogue.api import search_answer
    from catalogue.i18n import LANGUAGES

    with archive.sessions() as session:  # it only reads
        query = (
            select(Item)
            .where(Item.accession_id.in_([hit.id for hit in found.hits]))
            .options(selectinload(Item.pages).selectinload(Page.master))
            .options(selectinload(Item.collection))
        )
        records = {item.accession_id: item for item in session.scalars(query)}
        return search_answer(archive, found, records, filters, LANGUAGES)


def _terminal(snippet: str) -> str:
    """A highlighted HTML snippet as terminal text: the marks in bold."""
    import html
    import re

    parts = re.split(r"<mark>(.*?)</mark>", snippet)
    return "".join(
        click.style(html.unescape(part), bold=True) if n % 2 else html.unescape(part)
        for n, part in enumerate(parts)
    )


@cli.command()
@click.option("--check", is_flag=True, help="Report items missing from, or stale in, the index.")
@pass_context
def reindex(ctx: Context, check: bool) -> None:
    """Rebuild the search index from the database, beside the old one, then swap it in."""
    import time

    from archive import indexing
    from search_index.engines import open_index

    with (
        ctx.archive() as archive,
        archive.session() as session,
        open_index(archive) as index,
    ):
        if check:
            problems = _index_problems(indexing.versions(session), index.versions())
            for problem in problems:
                click.echo(problem)
            click.echo(f"{len(problems)} problems" if problems else "index and database agree")
            sys.exit(1 if problems else 0)
        start, total = time.perf_counter(), indexing.count(session)
        click.echo(f"indexing {total} items on {index.procs} processes", err=True)

        def progress(count: int, writing: bool) -> None:
            elapsed = time.perf_counter() - start
            if writing:
                click.echo(f"{count} items read in {elapsed:.0f} s; writing the index", err=True)
                return
            rate = count / max(elapsed, 1e-9)
            left = max(total - count, 0) / max(rate, 1e-9)
            click.echo(
                f"{count} of {total} items ({count / max(total, 1):.0%}), {rate:.0f}/s, "
                f"about {left:.0f} s left",
                err=True,
            )

        documents = indexing.documents(session, vocabularies=archive.vocabularies)
        count = index.rebuild(documents, progress)
    click.echo(f"{count} items indexed in {time.perf_counter() - start:.1f} s")


def _index_problems(database: dict[str, str], index: dict[str, str]) -> list[str]:
    problems = [f"missing  {i}" for i in sorted(database.keys() - index.keys())]
    problems += [
        f"stale    {i}" for i in sorted(database) if i in index and index[i] != database[i]
    ]
    problems += [f"extra    {i}" for i in sorted(index.keys() - database.keys())]
    return problems
