"""Batch edits in the workspace: `/staff/batch` selects items from a search or a collection
(hundreds at a time, each one can be left out), and chooses what to do to them; the preview
lists every change; applying makes them in one unit of work, checked to be the very changes
previewed (else the preview is shown again, 409); `/staff/batch/UNIT` shows a batch made and
undoes it, as one."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from archive import batch, roles
from archive.errors import InvalidInput, NotFound
from archive.models import AuditEntry, AuditUnit
from catalogue import services
from catalogue.i18n import gettext
from catalogue.staff.blueprint import blueprint, current_user, requires
from search_index.folder import IndexLocked

_ = gettext
MAX_QUERY = 500
SHOWN = 2000  # rows of a batch's page: more are counted, not listed


@blueprint.get("/batch")
@requires(roles.READ)
def batch_select() -> tuple[str, int]:
    return _select_page(request.args.getlist("id") or None, {})


def selection() -> list[str]:
    """The items the address asks for: a search (`q`, within the collection `in` when given),
    or without words every item of the collection `in`."""
    query, slug = request.args.get("q", "")[:MAX_QUERY], request.args.get("in", "").strip()
    if query.strip():
        filters = {"collection": [slug]} if slug else {}
        return batch.selection_from_search(services.search_index(), query, filters)
    if slug:
        with services.reading() as session:
            return batch.selection_from_collection(session, slug)
    return []


def _select_page(ids: list[str] | None, errors: dict, status: int = 400) -> tuple[str, int]:
    try:
        chosen = ids if ids is not None else selection()
    except (InvalidInput, NotFound) as error:
        chosen, errors = [], {"selection": (str(error), "en")}
    with services.reading() as session:
        titles = _titles(session, chosen)
    html = render_template(
        "staff/batch.html",
        chosen=[(accession_id, titles.get(accession_id, {})) for accession_id in chosen],
        args=request.args,
        form=request.form,
        errors=errors,
        operations=batch.OPERATIONS,
    )
    return html, status if errors else 200


def _titles(session, ids: list[str]) -> dict[str, dict]:
    from archive.models import Item

    found = {}
    for start in range(0, len(ids), 500):
        query = select(Item.accession_id, Item.title).where(
            Item.accession_id.in_(ids[start : start + 500])
        )
        found.update({accession_id: title for accession_id, title in session.execute(query)})
    return found


def _operation() -> tuple[list[str], batch.Operation]:
    form = request.form
    ids = [i.strip() for i in form.getlist("id") if i.strip()]
    operation = batch.Operation(
        form.get("operation", ""), form.get("value", "")[:20000], form.get("field", "")[:60]
    )
    if not current_user().can(roles.for_field(operation.field_name)):
        abort(403)
    return ids, operation


@blueprint.post("/batch/preview")
@requires(roles.ITEMS)
def batch_preview() -> tuple[str, int]:
    ids, operation = _operation()
    return _preview_page(ids, operation, None)


def _preview_page(ids, operation, stale: str | None) -> tuple[str, int]:
    if not ids:
        return _select_page([], {"selection": (_("Choose at least one item."), "")})
    try:
        changes = batch.preview(services.archive(), ids, operation, current_user().name)
    except (InvalidInput, NotFound) as error:
        return _select_page(ids, {"operation": (str(error), "en")})
    html = render_template(
        "staff/batch_preview.html",
        ids=ids,
        operation=operation,
        changes=changes,
        changed=len({change[0] for change in changes}),
        digest=batch.digest(changes),
        stale=stale,
    )
    return html, 409 if stale else 200


@blueprint.post("/batch/apply")
@requires(roles.ITEMS)
def batch_apply() -> Response | tuple[str, int]:
    ids, operation = _operation()
    archive = services.archive()
    try:
        with archive.change(batch.ACTION, by=current_user().name) as work:
            changes = batch.apply(work, ids, operation)
            if batch.digest(changes) != request.form.get("digest"):
                raise _Stale
    except _Stale:
        message = _("The items changed after the preview was made. Here is the preview again.")
        return _preview_page(ids, operation, message)
    except (InvalidInput, NotFound) as error:
        return _select_page(ids, {"operation": (str(error), "en")})
    except IndexLocked:
        flash(_("Applied. The search index was busy: search finds it after the next reindex."))
    unit = _unit_of(archive, current_user().name)
    flash(_("Applied: %(count)s changes.", count=len(changes)))
    return redirect(url_for("staff.batch_made", unit_id=unit), code=303)


class _Stale(Exception):
    """The changes to apply are not those previewed: rolled back."""


def _unit_of(archive, by: str) -> int:
    """The batch unit this person committed last (the one just made)."""
    with archive.sessions() as session:
        return session.scalar(
            select(AuditUnit.id)
            .where(AuditUnit.by == by, AuditUnit.action == batch.ACTION)
            .order_by(AuditUnit.id.desc())
            .limit(1)
        )


@blueprint.get("/batch/<int:unit_id>")
@requires(roles.READ)
def batch_made(unit_id: int) -> tuple[str, int]:
    with services.reading() as session:
        unit = session.get(AuditUnit, unit_id)
        if unit is None or unit.action not in batch.ACTIONS:
            abort(404)
        entries = [e for e in unit.entries if e.kind == "item" and e.field != "tags"]
        shown = [(e.target, e.field, e.before, e.after) for e in entries[:SHOWN]]
        undone = session.scalar(
            select(AuditEntry.id).where(AuditEntry.target == f"batch-{unit_id}").limit(1)
        )
        made = {"id": unit.id, "at": unit.at, "by": unit.by, "count": len(entries)}
        made["action"] = unit.action
    html = render_template("staff/batch_made.html", unit=made, changes=shown, undone=undone)
    return html, 200


@blueprint.post("/batch/<int:unit_id>/undo")
@requires(roles.ITEMS)
def batch_undo(unit_id: int) -> Response:
    try:
        with services.archive().change(batch.UNDO, by=current_user().name) as work:
            undone = batch.undo(work, unit_id)
    except NotFound:
        abort(404)
    except InvalidInput as error:
        flash(str(error))
        return redirect(url_for("staff.batch_made", unit_id=unit_id), code=303)
    except IndexLocked:
        flash(_("Undone. The search index was busy: search finds it after the next reindex."))
        return redirect(url_for("staff.batch_made", unit_id=unit_id), code=303)
    flash(_("Undone: %(count)s changes put back.", count=len(undone.changes)))
    if undone.kept:
        flash(_("Changed again since, and kept: %(ids)s", ids=", ".join(undone.kept)))
    return redirect(url_for("staff.batch_made", unit_id=unit_id), code=303)
