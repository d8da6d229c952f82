"""The metadata.csv round trip in the workspace, `/staff/csv`: a selection (a search or a
collection, as a batch edit chooses; every item without either) taken away as the `metadata.csv`
`archive export csv` writes (`archive.spreadsheet`, cells kept from running as formulas), and
an edited one brought back as updates (`archive.sheet_updates`, the reading and comparing of
`archive ingest --update-metadata`): every change previewed field by field with every row
refused and why, then applied in one unit of work, checked to be the very changes previewed
(else the preview is shown again, 409). Applied, it is a batch edit's page, and undone as one.

Between the preview and applying, the file sent is kept in the archive home's `uploads/`, named
by its SHA-256 (the form carries that name, checked to be one), and removed once applied."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from archive import batch, items, roles, sheet_updates, spreadsheet
from archive.errors import InvalidInput, NotFound
from archive.models import AuditUnit
from catalogue import services
from catalogue.i18n import gettext
from catalogue.staff import batch as batch_pages
from catalogue.staff.blueprint import blueprint, current_user, requires
from search_index.folder import IndexLocked

_ = gettext
MAX_BYTES = 20 * 1024 * 1024  # a metadata.csv of 10,000 items is about 3 MB
UPLOADS = "uploads"  # in the archive home
KEPT_SECONDS = 86400  # a file previewed and never applied is removed after a day


@blueprint.get("/csv")
@requires(roles.READ)
def csv_page() -> str:
    return render_template("staff/csv.html", args=request.args, error=None)


@blueprint.get("/csv/export")
@requires(roles.READ)
def csv_export() -> Response | tuple[str, int]:
    """The selection as a metadata.csv, its `file` column relative to the folder above every
    file the archive ingested (so that each row names its item alone)."""
    try:
        chosen = _chosen()
    except (InvalidInput, NotFound) as error:  # in the CLI's own words
        html = render_template(
            "staff/csv.html", args=request.args, error=str(error), error_lang="en"
        )
        return html, 400
    with tempfile.TemporaryDirectory() as scratch, services.reading() as session:
        out = Path(scratch) / "metadata.csv"
        spreadsheet.write(session, chosen, out, spreadsheet.archive_folder(session))
        body = out.read_bytes()
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=metadata.csv"
    return response


def _chosen() -> list[str]:
    """The items the address chooses, as a batch edit's selection; every item without one."""
    if request.args.get("q", "").strip() or request.args.get("in", "").strip():
        return batch_pages.selection()
    with services.reading() as session:
        return [row["id"] for row in items.listing(session)]


@blueprint.post("/csv/preview")
@requires(roles.ITEMS)
def csv_preview() -> tuple[str, int]:
    sent = request.files.get("sheet")
    body = sent.stream.read(MAX_BYTES + 1) if sent else b""
    if not body:
        return _csv_error(_("Choose a metadata.csv file to send."))
    if len(body) > MAX_BYTES:
        return _csv_error(_("The file is too large: at most 20 MB."))
    return _preview_page(_keep(body), None)


@blueprint.errorhandler(413)
def _too_large(_error) -> Response:
    """A request over the app's MAX_CONTENT_LENGTH, refused before it is read or written down
    (before the signed-in person is even looked up: the page is a line of text)."""
    message = _("The file is too large: at most 20 MB.")
    return Response(message + "\n", 413, mimetype="text/plain")


def _csv_error(message: str, lang: str = "") -> tuple[str, int]:
    html = render_template("staff/csv.html", args={}, error=message, error_lang=lang)
    return html, 400


def _preview_page(name: str, stale: str | None) -> tuple[str, int]:
    try:
        found = sheet_updates.preview(services.archive(), _kept(name), current_user().name)
    except InvalidInput as error:  # a file that cannot be read as a whole
        return _csv_error(f"{sheet_updates.NAME}: {error}", "en")
    html = render_template(
        "staff/csv_preview.html",
        found=found,
        changed=len({change[0] for change in found.changes}),
        upload=name,
        digest=batch.digest(found.changes),
        stale=stale,
    )
    return html, 409 if stale else 200


@blueprint.post("/csv/apply")
@requires(roles.ITEMS)
def csv_apply() -> Response | tuple[str, int]:
    name = request.form.get("upload", "")
    archive, user = services.archive(), current_user()
    if not _kept(name).is_file():
        return _csv_error(_("This file is no longer kept: send it again."))
    try:
        with archive.change(sheet_updates.ACTION, by=user.name) as work:
            found = sheet_updates.apply(work, _kept(name))
            if any(not user.can(roles.for_field(c[1])) for c in found.changes):
                abort(403)
            if batch.digest(found.changes) != request.form.get("digest"):
                raise _Stale
    except _Stale:
        message = _("The items changed after the preview was made. Here is the preview again.")
        return _preview_page(name, message)
    except InvalidInput as error:
        return _csv_error(f"{sheet_updates.NAME}: {error}", "en")
    except IndexLocked:
        flash(_("Applied. The search index was busy: search finds it after the next reindex."))
    _kept(name).unlink(missing_ok=True)
    flash(_("Applied: %(count)s changes.", count=len(found.changes)))
    return redirect(url_for("staff.batch_made", unit_id=_unit_of(archive, user.name)), code=303)


class _Stale(Exception):
    """The changes to apply are not those previewed: rolled back."""


def _unit_of(archive, by: str) -> int:
    with archive.sessions() as session:
        return session.scalar(
            select(AuditUnit.id)
            .where(AuditUnit.by == by, AuditUnit.action == sheet_updates.ACTION)
            .order_by(AuditUnit.id.desc())
            .limit(1)
        )


def _uploads() -> Path:
    folder = services.archive().home / UPLOADS
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _keep(body: bytes) -> str:
    """Keep the file sent until it is applied; its name. Files kept longer than a day go."""
    folder = _uploads()
    for old in folder.glob("*.csv"):
        if old.stat().st_mtime < time.time() - KEPT_SECONDS:
            old.unlink(missing_ok=True)
    name = hashlib.sha256(body).hexdigest()
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".sending-")
    with os.fdopen(handle, "wb") as out:
        out.write(body)
    os.replace(temporary, folder / f"{name}.csv")
    return name


def _kept(name: str) -> Path:
    """Where the file kept under `name` is (gone once applied); 400 when `name` is no name."""
    if len(name) != 64 or not all(c in "0123456789abcdef" for c in name):
        abort(400)
    return _uploads() / f"{name}.csv"
