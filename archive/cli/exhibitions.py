"""Commands on exhibitions: check, build and export curators' definitions."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from archive.cli.base import Context, cli, pass_context
from archive.home import Archive


@cli.group()
def exhibition() -> None:
    """Check, build and export exhibitions from curators' definitions (YAML)."""


def _checked(archive: Archive, path: Path):
    """The exhibition in `path`, or exit 1 after printing every problem with its line."""
    from exhibitions import definition

    found, problems = definition.load(path)
    if found is not None:
        with archive.session() as session:
            facts = definition.item_facts(session, [e.item for e in found.entries()])
        problems += definition.check(found, facts)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems or found is None:
        click.echo(f"{len(problems)} problems in {path}", err=True)
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
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
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
    to be published at --base-url."""
    from exhibitions import export

    with ctx.archive() as archive:
        found = _checked(archive, path)
        written = export.export(archive, found, out, base_url)
    for one in written:
        click.echo(str(one))
    click.echo(f"publish {out} at {base_url}/ (see {out / 'README.txt'})")
