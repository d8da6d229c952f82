"""The audit trail: who changed what, when, before and after."""

from __future__ import annotations

import json

import click

from archive.cli.base import JSON_INDENT, Context, cli, pass_context, shown


@cli.command()
@click.option("--item", "target", help="Only the changes to this item (accession id).")
@click.option("--user", "by", help="Only the changes this person made.")
@click.option("--action", help="Only changes of this kind (item set, ingest, ...).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="From this day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Before this day (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def audit(ctx: Context, target, by, action, since, until, limit, as_json) -> None:
    """Who changed what, when, before and after: newest first."""
    from archive import audit as trail

    with ctx.archive() as archive, archive.session() as session:
        found = trail.entries(
            session, target=target, by=by, action=action, since=since, until=until, limit=limit
        )
    if as_json:
        click.echo(json.dumps([e.as_json() for e in found], ensure_ascii=False, indent=JSON_INDENT))
        return
    for entry in found:
        when = entry.at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(
            f"{when}  {entry.by}  {entry.action}  {entry.target}  {entry.field}: "
            f"{shown(entry.before)} → {shown(entry.after)}"
        )
