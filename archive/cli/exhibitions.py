"""Commands on exhibitions: write, check, publish, build and export curators' definitions."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from archive.cli.base import Context, cli, pass_context
from archive.errors import InvalidInput
from archive.home import Archive


@cli.group()
def exhibition() -> None:
    """Write, check, publish, build and export exhibitions from curators' definitions (YAML,
    in exhibitions/ in the archive home)."""


def _checked(archive: Archive, path: Path):
    """The exhibition in `path`, or exit 1 after printing every problem with its line: those
    of its structure and of its items, in one run."""
    from exhibitions import lifecycle

    try:
        found, problems = lifecycle.inspect(archive, lifecycle.read_text(path), path)
    except InvalidInput as error:
        found, problems = None, [error]
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems or found is None:
        click.echo(f"{lifecycle.count_problems(len(problems))} in {path}", err=True)
        sys.exit(1)
    return found


_DEFINITION = click.Path(exists=True, dir_okay=False, path_type=Path)


@exhibition.command("check")
@click.argument("path", type=_DEFINITION)
@pass_context
def exhibition_check(ctx: Context, path: Path) -> None:
    """Report every problem of a definition, as FILE:LINE: message (exit 1 if any)."""
    with ctx.archive() as archive:
        found = _checked(archive, path)
    shown = len(found.entries())
    click.echo(f"{path}: {len(found.sections)} sections, {shown} items: no problems")


@exhibition.command("build")
@click.argument("path", type=_DEFINITION)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the IIIF files (default: iiif/ in the archive home).",
)
@pass_context
def exhibition_build(ctx: Context, path: Path, out: Path | None) -> None:
    """Write the exhibition's IIIF manifest and the Collections; print every path written."""
    from exhibitions import publish

    with ctx.archive() as archive:
        found = _checked(archive, path)
        for written in publish.build(archive, found, out or archive.home / "iiif"):
            click.echo(str(written))
        publish.log_published(archive)


def _site_address(ctx: click.Context, param: click.Parameter, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an http:// or https:// address")
    if parts.query or parts.fragment or " " in value:
        raise click.BadParameter(f"{value!r}: the address of a folder, without ? or #")
    return value.rstrip("/")


@exhibition.command("export")
@click.argument("path", type=_DEFINITION)
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option(
    "--base-url",
    required=True,
    callback=_site_address,
    help="The address the site will be published at (https://example.org/exhibition): "
    "every IIIF id in it names it.",
)
@pass_context
def exhibition_export(ctx: Context, path: Path, out: Path, base_url: str) -> None:
    """Write a self-contained static site of the exhibition (page, viewer, manifest, images),
    to be published at --base-url; as one .zip file when --out ends in .zip."""
    from exhibitions import export

    with ctx.archive() as archive:
        found = _checked(archive, path)
        if out.suffix == ".zip":
            click.echo(str(export.export_zip(archive, found, out, base_url)))
            return
        written = export.export(archive, found, out, base_url)
    for one in written:
        click.echo(str(one))
    click.echo(f"publish {out} at {base_url}/ (see {out / 'README.txt'})")


@exhibition.command("publish")
@click.argument("path", type=_DEFINITION)
@pass_context
def exhibition_publish(ctx: Context, path: Path) -> None:
    """Check a definition and, when it has no problem, publish it and build its IIIF files
    (a file from elsewhere is copied into exhibitions/ in the archive home)."""
    from exhibitions import lifecycle

    with ctx.archive() as archive:
        try:
            found, written = lifecycle.publish_file(archive, path, ctx.by)
        except InvalidInput as error:  # the definition's problems: as `check` exits
            click.echo(str(error), err=True)
            sys.exit(1)
    for one in written:
        click.echo(str(one))
    click.echo(f"published {found.id}")


@exhibition.command("list")
@pass_context
def exhibition_list(ctx: Context) -> None:
    """Every exhibition: draft, published (upcoming, open, closed) or archived; the problems of
    each file, and whether it differs from what is published."""
    from exhibitions import lifecycle

    with ctx.archive() as archive:
        found = lifecycle.statuses(archive)
    for one in found:
        state = f"{one.state} ({one.when})" if one.when else one.state
        changed = ", changed since published" if one.changed else ""
        click.echo(f"{one.slug}\t{state}{changed}\t{one.file or '(file removed)'}")
        for problem in one.problems:
            click.echo(f"  {problem}")


@exhibition.command("archive")
@click.argument("slug")
@click.option("--undo", is_flag=True, help="Publish the archived version again.")
@pass_context
def exhibition_archive(ctx: Context, slug: str, undo: bool) -> None:
    """Take a published exhibition off the public site (its definition is kept)."""
    from exhibitions import lifecycle, publish

    with ctx.archive() as archive:
        state = publish.PUBLISHED if undo else publish.ARCHIVED
        lifecycle.set_state(archive, slug, state, ctx.by)
    click.echo(f"{slug}: {state}")


@exhibition.command("new")
@click.argument("slug")
@pass_context
def exhibition_new(ctx: Context, slug: str) -> None:
    """Write a commented template of a definition, exhibitions/SLUG.yaml in the archive home."""
    from exhibitions import lifecycle

    with ctx.archive() as archive:
        path = lifecycle.new(archive, slug)
    click.echo(str(path))
