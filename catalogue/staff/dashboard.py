"""The dashboard, `/staff/`: who is signed in and what their role allows; the last ingest runs
and their failures still open; pages whose reading failed, with "read again" (the same command
as `archive ocr --retry-failed`, run beside the server); and what waits for review: pages read
with a confidence under the one chosen, automatic tags no one has reviewed, titles that are
only a file name, items with no date; each a page at a time (`?undated_page=2`)."""

from __future__ import annotations

import subprocess
import sys
import threading

from flask import Response, abort, flash, redirect, render_template, request, url_for

from archive import items, journal, roles, worklist
from archive.errors import NotFound
from catalogue import services
from catalogue.staff.blueprint import N_, _, blueprint, current_user, requires

# What each permission lets a person do, as the dashboard says it.
PERMISSION_NAMES = {
    roles.READ: N_("Read every item, restricted ones too, and the audit trail"),
    roles.ITEMS: N_("Edit items, and put back a field from an item's history"),
    roles.COLLECTIONS: N_("Arrange and describe the collections"),
    roles.TAGS: N_("Add, remove and review tags"),
    roles.TEXTS: N_("Correct the text of pages"),
    roles.ACCESS: N_("Make items public or restricted"),
    roles.WITHDRAW: N_("Withdraw items from the public, and restore them"),
    roles.EXHIBITIONS: N_("Make exhibitions"),
    roles.USERS: N_("Manage the accounts of the staff"),
    roles.PURGE: N_("Delete items for good"),
}
CONFIDENCE = 70  # the mean OCR confidence (0-100) under which a page is listed, unless chosen
RUNS = 5
READ_AGAIN_LOG = "read-again.log"  # in the home's logs/: what the command printed


@blueprint.get("/")
@requires(roles.READ)
def dashboard() -> tuple[str, int]:
    user = current_user()
    allowed = [PERMISSION_NAMES[p] for p in roles.PERMISSIONS if user.can(p)]
    below, error = _confidence(request.args.get("confidence", ""))
    with services.reading() as session:
        lists = {
            "failed": worklist.failed_pages(session, _page("failed")),
            "unsure": worklist.unsure_pages(session, below, _page("unsure")),
            "tags": worklist.unreviewed_tags(session, _page("tags")),
            "file_named": worklist.file_named(session, _page("file_named")),
            "undated": worklist.undated(session, _page("undated")),
        }
        runs = journal.status(session, RUNS)["runs"]
    html = render_template(
        "staff/dashboard.html",
        allowed=allowed,
        runs=runs,
        lists=lists,
        confidence=below,
        confidence_error=error,
    )
    return html, 400 if error else 200


def _page(name: str) -> int:
    """The page of the list `name` asked for (`?undated_page=3`); the first unless a number."""
    raw = request.args.get(f"{name}_page", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 and int(raw) else 1


@blueprint.app_template_global()
def worklist_page(name: str, page: int) -> str:
    """The dashboard's address with the list `name` at `page`, the other lists as they are."""
    args = {key: value for key, value in request.args.items() if key != f"{name}_page"}
    return (
        url_for("staff.dashboard", **args, **{f"{name}_page": page})
        + f"#{name.replace('_', '-')}-heading"
    )


def _confidence(raw: str) -> tuple[float, str | None]:
    """The confidence asked for, a number from 0 to 100; else the default, and why."""
    if not raw:
        return CONFIDENCE, None
    try:
        value = float(raw[:20])
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        return CONFIDENCE, _("A confidence is a number from 0 to 100.")
    return value, None


@blueprint.post("/read-again")
@requires(roles.TEXTS)
def read_again() -> Response:
    """OCR again the pages whose reading failed (of one item, when the form names it), with
    `archive ocr --retry-failed` run beside the server: reading takes seconds a page, longer
    than a request should."""
    archive = services.archive()
    named = request.form.get("item", "").strip()[:40]
    if named:
        with services.reading() as session:
            try:
                named = items.find(session, named).accession_id
            except NotFound:
                abort(404)
    command = [sys.executable, "-m", "archive", "--home", str(archive.home)]
    command += ["--by", current_user().name, "ocr", "--retry-failed", *([named] if named else [])]
    log = archive.home / "logs" / READ_AGAIN_LOG
    with open(log, "ab") as out:
        process = subprocess.Popen(  # a fixed command; the item is one the archive holds
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
        )
    # a thread waits for it to end, so it leaves no zombie behind in the server's process
    threading.Thread(target=process.wait, daemon=True).start()
    flash(_("Reading again has started. The pages read are listed here no more once done."))
    return redirect(url_for("staff.dashboard"), code=303)
