"""Commands on collections: collection list|show|create|set|rename|move."""

from __future__ import annotations

import json

import click

from archive.cli.base import JSON_INDENT, Context, cli, pass_context, print_changes


@cli.group()
def collection() -> None:
    """Arrange and describe the collections (fonds, series, files)."""


@collection.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def collection_list(ctx: Context, as_json: bool) -> None:
    """The tree of collections: path, level, items (with those below) and title."""
    from archive import collections

    with ctx.archive() as archive, archive.session() as session:
        found = collections.tree(session)
    rows = list(_rows(found))
    if as_json:
        click.echo(json.dumps({"collections": rows}, ensure_ascii=False, indent=JSON_INDENT))
        return
    for row in rows:
        indent = "  " * row["slug"].count("/")
        title = " / ".join(row["title"].values())
        click.echo(f"{indent}{row['slug']} ({row['level']}, {row['items']} items): {title}")


def _rows(branches):
    for branch in branches:
        yield {
            "slug": branch.slug,
            "level": branch.level,
            "title": branch.title,
            "items": branch.total,
        }
        yield from _rows(branch.children)


@collection.command("show")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def collection_show(ctx: Context, slug: str, as_json: bool) -> None:
    """One collection and its description."""
    from archive import collections

    with ctx.archive() as archive, archive.session() as session:
        record = collections.as_dict(session, collections.find(session, slug))
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=JSON_INDENT))
        return
    for key, value in record.items():
        if value not in (None, {}, []):
            shown = (
                json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
            )
            click.echo(f"{key}: {shown}")


def _pairs(assignments: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{assignment!r} is not FIELD=VALUE")
        pairs[name.strip()] = value
    return pairs


@collection.command("create")
@click.argument("slug")
@click.argument("assignments", nargs=-1)
@pass_context
def collection_create(ctx: Context, slug: str, assignments: tuple[str, ...]) -> None:
    """A new collection at SLUG (fonds, fonds/series or fonds/series/file; its parent must
    exist), described with FIELD=VALUE as `collection set` takes them."""
    from archive import collections

    pairs = _pairs(assignments)
    titles = {k[len("title_") :]: pairs.pop(k) for k in list(pairs) if k.startswith("title_")}
    with ctx.archive() as archive, archive.change("collection create") as work:
        made = collections.create(work, slug, titles)
        collections.describe(work, made.slug, pairs)
        created = made.slug
    click.echo(f"{created}: created")


@collection.command("set")
@click.argument("slug")
@click.argument("assignments", nargs=-1, required=True)
@pass_context
def collection_set(ctx: Context, slug: str, assignments: tuple[str, ...]) -> None:
    """Describe a collection: FIELD=VALUE ... (title_vi, title_en, scope_vi, scope_en, dates,
    creator, extent_units, extent_metres; an empty VALUE clears)."""
    from archive import collections

    pairs = _pairs(assignments)
    with ctx.archive() as archive, archive.change("collection set") as work:
        changes = collections.describe(work, slug, pairs)
    click.echo(f"{slug}: {'updated' if changes else 'nothing to change'}")
    print_changes(changes)


@collection.command("rename")
@click.argument("slug")
@click.argument("name")
@pass_context
def collection_rename(ctx: Context, slug: str, name: str) -> None:
    """Give a collection a new NAME, the last part of its path (those below it follow)."""
    from archive import collections

    with ctx.archive() as archive, archive.change("collection rename") as work:
        new = collections.rename(work, slug, name).slug
    click.echo(f"{slug} → {new}")


@collection.command("move")
@click.argument("slug")
@click.argument("new_parent")
@pass_context
def collection_move(ctx: Context, slug: str, new_parent: str) -> None:
    """Put a collection (and all below it) under NEW_PARENT; `/` makes it a fonds."""
    from archive import collections

    with ctx.archive() as archive, archive.change("collection move") as work:
        new = collections.move(work, slug, new_parent).slug
    click.echo(f"{slug} → {new}")
