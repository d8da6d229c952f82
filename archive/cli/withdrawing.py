"""Commands that take items from the public: item withdraw|restore|purge."""

from __future__ import annotations

import click

from archive.cli.base import Context, pass_context
from archive.cli.items import item


@item.command("withdraw")
@click.argument("accession_id")
@click.option("--reason", required=True, help="Why (the public is told it).")
@pass_context
def item_withdraw(ctx: Context, accession_id: str, reason: str) -> None:
    """Withdraw an item from the public: its addresses answer 410 Gone with its title, the
    reason and its citation; it leaves search, the sitemap and the IIIF Collections. The record
    and the masters are kept."""
    from archive import withdrawal

    with ctx.archive() as archive, archive.change("item withdraw") as work:
        withdrawal.withdraw(work, accession_id, reason)
    click.echo(f"{accession_id}: withdrawn")


@item.command("restore")
@click.argument("accession_id")
@pass_context
def item_restore(ctx: Context, accession_id: str) -> None:
    """Put a withdrawn item back, as it was."""
    from archive import withdrawal

    with ctx.archive() as archive, archive.change("item restore") as work:
        withdrawal.restore(work, accession_id)
    click.echo(f"{accession_id}: restored")


@item.command("purge")
@click.argument("accession_id")
@click.option("--confirm", required=True, help="The identifier again: a purge cannot be undone.")
@click.option("--reason", default="", help="Why (kept in the audit trail).")
@pass_context
def item_purge(ctx: Context, accession_id: str, confirm: str, reason: str) -> None:
    """Delete an item for good, and the masters no other item refers to. The audit trail keeps
    what was purged, by whom and why."""
    from archive import withdrawal

    with ctx.archive() as archive:
        with archive.change("item purge") as work:
            files = withdrawal.purge(work, accession_id, confirm, reason)
        withdrawal.discard(archive.home, files)
    click.echo(f"{accession_id}: purged ({len(files)} files deleted)")
