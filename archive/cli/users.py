"""The staff's accounts: user add|list|role|disable|enable|reset-password."""

from __future__ import annotations

import json
from pathlib import Path

import click

from archive.cli.base import JSON_INDENT, Context, cli, pass_context
from archive.errors import InvalidInput
from archive.roles import ROLES

ROLE_NAMES = tuple(reversed(ROLES))  # the most allowed first


@cli.group()
def user() -> None:
    """The accounts of the staff workspace (/staff/)."""


def _password_options(command):
    command = click.option(
        "--generate",
        is_flag=True,
        help="Make a random password and print it (to hand to the person).",
    )(command)
    return click.option(
        "--password-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Read the password from the first line of this file (else it is asked twice).",
    )(command)


def _password(password_file: Path | None, generate: bool) -> tuple[str, bool]:
    """The password given, and whether it was made here (so is to be printed)."""
    from archive import users

    if password_file and generate:
        raise click.UsageError("give --password-file or --generate, not both")
    if generate:
        return users.new_password(), True
    if password_file:
        try:
            lines = password_file.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{password_file}: cannot read a password: {exc}")
        return users.check_password(lines[0] if lines else ""), False
    typed = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return users.check_password(typed), False


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLE_NAMES), required=True, help="What they may do.")
@_password_options
@pass_context
def user_add(ctx: Context, name: str, role: str, password_file, generate: bool) -> None:
    """Add an account NAME (letters a-z, digits, . _ -) with a role."""
    from archive import users

    password, made = _password(password_file, generate)
    with ctx.archive() as archive, archive.change("user add") as work:
        added = users.add(work, name, role, password)
        kept = added.name
    click.echo(f"added {kept} ({role})")
    if made:
        click.echo(f"password: {password}")


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def user_list(ctx: Context, as_json: bool) -> None:
    """List the accounts: name, role, enabled or disabled, last sign-in."""
    from archive import users

    with ctx.archive() as archive, archive.session() as session:
        found = [
            {
                "name": u.name,
                "role": u.role,
                "disabled": u.disabled,
                "created_at": u.created_at.isoformat() + "Z",
                "signed_in_at": u.signed_in_at.isoformat() + "Z" if u.signed_in_at else None,
            }
            for u in users.listing(session)
        ]
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=JSON_INDENT))
        return
    if not found:
        click.echo("no accounts yet: add one with `archive user add NAME --role admin`")
    for row in found:
        status = "disabled" if row["disabled"] else "enabled"
        last = (row["signed_in_at"] or "never signed in")[:19].replace("T", " ")
        click.echo(f"{row['name']}  {row['role']}  {status}  {last}")


@user.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLE_NAMES))
@pass_context
def user_role(ctx: Context, name: str, role: str) -> None:
    """Give the user NAME another ROLE (it applies at their next request)."""
    from archive import users

    with ctx.archive() as archive, archive.change("user role") as work:
        changed = users.set_role(work, name, role)
    click.echo(f"{name.strip().lower()} is {role}" + ("" if changed else " already"))


@user.command("disable")
@click.argument("name")
@pass_context
def user_disable(ctx: Context, name: str) -> None:
    """Disable the account NAME: they are signed out everywhere and cannot sign in."""
    _set_disabled(ctx, name, True)


@user.command("enable")
@click.argument("name")
@pass_context
def user_enable(ctx: Context, name: str) -> None:
    """Enable the account NAME again."""
    _set_disabled(ctx, name, False)


def _set_disabled(ctx: Context, name: str, disabled: bool) -> None:
    from archive import users

    action = "user disable" if disabled else "user enable"
    with ctx.archive() as archive, archive.change(action) as work:
        changed = users.set_disabled(work, name, disabled)
    state = "disabled" if disabled else "enabled"
    click.echo(f"{name.strip().lower()} is {state}" + ("" if changed else " already"))


@user.command("reset-password")
@click.argument("name")
@_password_options
@pass_context
def user_reset_password(ctx: Context, name: str, password_file, generate: bool) -> None:
    """Give the user NAME a new password; their open sessions end."""
    from archive import users

    password, made = _password(password_file, generate)
    with ctx.archive() as archive, archive.change("user reset-password") as work:
        users.reset_password(work, name, password)
    click.echo(f"new password set for {name.strip().lower()}; their sessions are ended")
    if made:
        click.echo(f"password: {password}")
