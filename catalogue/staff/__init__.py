"""The staff workspace under `/staff/`: signing in, a dashboard, the audit trail and an item's
history (with a field put back), and the accounts for administrators. Every view names the
permission it needs (`blueprint.requires`, against the table in `archive.roles`); every form
carries a CSRF token (Flask-WTF), and a POST without a right one is refused (400).

The browser holds only the key of its session, in Flask's signed cookie (HttpOnly, SameSite=Lax,
Secure when `base_url` is https, sent to `/staff` alone); the session itself is a row of the
database (`archive.users`), so that signing out, being disabled or idle too long ends it in every
server process. The key Flask signs with is made once per archive home (`secret_key`).

One blueprint, `staff` (blueprint.py), to which each family adds its routes: auth (sign in and
out), dashboard, editor (an item's fields), audit (the trail and an item's history), review (an
item's tags), texts (correcting a page's text), users (accounts), collections (the tree, described,
renamed and moved), exhibitions (their lifecycle, preview, export and partners), exhibition_editor
(an exhibition's definition), images (a page's images, restricted ones too), withdrawal
(withdraw, restore, purge), batch (batch edits, previewed and undone), report (the plan's
report), spreadsheets (the metadata.csv taken away and brought back).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
from pathlib import Path

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from archive.errors import ConfigError

# importing a family adds its routes to the blueprint
from catalogue.staff import (  # noqa: F401
    audit,
    auth,
    batch,
    collections,
    dashboard,
    editor,
    exhibition_editor,
    exhibitions,
    images,
    report,
    review,
    spreadsheets,
    texts,
    users,
    withdrawal,
)
from catalogue.staff.blueprint import blueprint

__all__ = ["blueprint", "init_app", "secret_key"]

SECRET_FILE = "secret_key"  # in the archive home, readable by its owner alone
COOKIE = "tulieu_staff"


def init_app(app: Flask, home: Path, base_url: str) -> None:
    """Give `app` the workspace: its secret key, cookie, CSRF protection and routes."""
    app.secret_key = secret_key(home, app.logger)
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE,
        SESSION_COOKIE_PATH="/staff",  # the public pages are never sent it, nor vary by it
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=base_url.startswith("https://"),
        # a form's token lasts as long as the session it belongs to (idle expiry ends both)
        WTF_CSRF_TIME_LIMIT=None,
        # a request body is refused unread beyond this (413): the largest the workspace takes
        # is a metadata.csv of at most spreadsheets.MAX_BYTES, with its form around it
        MAX_CONTENT_LENGTH=spreadsheets.MAX_BYTES + 1024 * 1024,
    )
    app.session_interface = StaffSessions()
    CSRFProtect(app)
    app.register_blueprint(blueprint)


class StaffSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, opened under `/staff` alone: the cookie is sent nowhere
    else, so elsewhere a session could only ever be empty, and opening one cost the public item
    page ~6% of its time (benchmarks/catalogue_load.py). Elsewhere Flask gets its null session."""

    def open_session(self, app: Flask, request: Request):
        path = app.config["SESSION_COOKIE_PATH"]
        if request.path == path or request.path.startswith(path + "/"):
            return super().open_session(app, request)
        return None


def secret_key(home: Path, logger: logging.Logger | None = None) -> str:
    """The key this archive home's catalogue signs its cookies with: made once, kept in a file
    only its owner may read, and the same for every server process. A home that cannot be
    written to gets a key for this process alone (no one can sign in there anyway)."""
    path = home / SECRET_FILE
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    try:
        _make(path)
    except OSError as error:
        if logger is not None:
            logger.warning("cannot keep a secret key in %s: %s", path, error)
        return secrets.token_hex(32)
    return _read(path)


def _read(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ConfigError(f"{path} holds no key: delete it, and a new one is made")
    return key


def _make(path: Path) -> None:
    """Write a new key beside, then link it into place: of processes starting together, the
    first wins and every one reads its key whole."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made it first
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
