"""The online catalogue: archive serve."""

from __future__ import annotations

import sys

import click

from archive.cli.base import Context, cli, pass_context

_LOOPBACK_BASE_URL = (
    "base_url is {base_url}, an address only this machine can reach: the manifests, images and "
    "citations served on {host} would point visitors nowhere. Set base_url in "
    '{home}/archive.toml (base_url = "https://…") or ARCHIVE_BASE_URL to the address '
    "visitors use (a catalogue tried on this machine only listens on 127.0.0.1, the default)."
)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option(
    "--threads", type=click.IntRange(min=1), default=2, show_default=True, help="Per worker."
)
@pass_context
def serve(ctx: Context, host: str, port: int, workers: int | None, threads: int) -> None:
    """Serve the online catalogue with gunicorn (Ctrl-C stops it)."""
    from archive.errors import ConfigError
    from catalogue import server
    from catalogue.app import create_app

    # Opened once before any worker starts: a folder that is no archive home fails here, and a
    # schema upgrade runs once, not in every worker at the same time.
    app = create_app(ctx.home)
    base_url = app.extensions["archive"].settings["base_url"]
    app.extensions["search"].close()
    app.extensions["archive"].close()
    try:
        sockets = server.listen(host, port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    if server.loopback_url(base_url) and server.public_sockets(sockets):
        for bound in sockets:
            bound.close()
        raise ConfigError(_LOOPBACK_BASE_URL.format(base_url=base_url, host=host, home=ctx.home))
    # Port 0 asks the system for a free port: print what was given, for whoever started it.
    for bound in sockets:
        address, number = bound.getsockname()[:2]
        shown = f"[{address}]" if ":" in str(address) else address
        click.echo(f"serving {ctx.home} at http://{shown}:{number}/")
    sys.stdout.flush()
    server.run(ctx.home, sockets, workers or server.cores(), threads)
