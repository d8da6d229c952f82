"""Withdrawal in the workspace: `/staff/items/ID/withdrawal` says whether the item is withdrawn
and why, and offers to withdraw it (with a reason) or restore it, and to administrators to purge
it (the identifier typed again). Each is a unit of work, audited as `archive item withdraw`,
`restore` and `purge` are."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for

from archive import items, roles, withdrawal
from archive.errors import InvalidInput, NotFound
from catalogue import services
from catalogue.i18n import gettext
from catalogue.staff.blueprint import blueprint, current_user, requires

_ = gettext


@blueprint.get("/items/<accession_id>/withdrawal")
@requires(roles.READ)
def withdrawal_page(accession_id: str) -> tuple[str, int]:
    return _page(accession_id, {})


def _page(accession_id: str, errors: dict, status: int = 400) -> tuple[str, int]:
    with services.reading() as session:
        try:
            item = items.find(session, accession_id)
        except NotFound:
            abort(404)
        shown = {
            "id": item.accession_id,
            "title": dict(item.title),
            "access": item.access,
            "withdrawn_at": item.withdrawn_at,
            "withdrawn_by": item.withdrawn_by,
            "reason": item.withdrawn_reason,
        }
    html = render_template("staff/withdrawal.html", item=shown, errors=errors, given=request.form)
    return html, status if errors else 200


@blueprint.post("/items/<accession_id>/withdraw")
@requires(roles.WITHDRAW)
def withdraw(accession_id: str) -> Response | tuple[str, int]:
    reason = request.form.get("reason", "")
    return _change(
        accession_id,
        "item withdraw",
        lambda work: withdrawal.withdraw(work, accession_id, reason),
        _("Withdrawn: the public now gets 410 Gone, with the reason."),
        "reason",
    )


@blueprint.post("/items/<accession_id>/restore")
@requires(roles.WITHDRAW)
def restore(accession_id: str) -> Response | tuple[str, int]:
    return _change(
        accession_id,
        "item restore",
        lambda work: withdrawal.restore(work, accession_id),
        _("Restored: the item is back as it was."),
        "restore",
    )


def _change(accession_id, action, change, done, field) -> Response | tuple[str, int]:
    try:
        with services.archive().change(action, by=current_user().name) as work:
            change(work)
    except NotFound:
        abort(404)
    except InvalidInput as error:
        return _page(accession_id, {field: (str(error), "en")})
    flash(done)
    return redirect(url_for("staff.withdrawal_page", accession_id=accession_id), code=303)


@blueprint.post("/items/<accession_id>/purge")
@requires(roles.PURGE)
def purge(accession_id: str) -> Response | tuple[str, int]:
    archive = services.archive()
    confirm, reason = request.form.get("confirm", ""), request.form.get("reason", "")
    try:
        with archive.change("item purge", by=current_user().name) as work:
            files = withdrawal.purge(work, accession_id, confirm, reason)
    except NotFound:
        abort(404)
    except InvalidInput as error:
        return _page(accession_id, {"confirm": (str(error), "en")})
    withdrawal.discard(archive.home, files)
    flash(_("%(id)s is purged. The audit trail keeps what it was.", id=accession_id))
    return redirect(url_for("staff.dashboard"), code=303)
